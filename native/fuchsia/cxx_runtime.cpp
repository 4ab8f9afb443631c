// zx4j: the only C++ runtime the JNI library needs on Fuchsia: operator new/delete (throwing
// forms included, which abort instead of throwing: the build has no exceptions) and
// std::nothrow, over the C library's malloc/free. Compiled with -fno-exceptions -fno-rtti
// -nostdinc++ and the shim headers of native/fuchsia/include. Written for zx4j.
#include <new>
#include <stdlib.h>

namespace std {
const nothrow_t nothrow{};
}

void* operator new(std::size_t size) {
    void* p = malloc(size ? size : 1);
    if (p == nullptr) {
        abort();
    }
    return p;
}

void* operator new[](std::size_t size) {
    return operator new(size);
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return malloc(size ? size : 1);
}

void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return malloc(size ? size : 1);
}

void operator delete(void* ptr) noexcept {
    free(ptr);
}

void operator delete[](void* ptr) noexcept {
    free(ptr);
}

void operator delete(void* ptr, std::size_t) noexcept {
    free(ptr);
}

void operator delete[](void* ptr, std::size_t) noexcept {
    free(ptr);
}
