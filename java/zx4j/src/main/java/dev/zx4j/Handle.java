package dev.zx4j;

/**
 * A handle of any object type, owned or borrowed; for objects without a typed class of their
 * own, or raw values adopted with {@link Kernel#adopt(int)}. {@link #into(Class)} turns it into
 * its typed class after checking the object type.
 */
public final class Handle extends HandleObject<Handle> {

    Handle(Kernel kernel, HandleCell cell, boolean owner) {
        super(kernel, cell, owner);
    }

    @Override
    Handle wrap(HandleCell cell, boolean owner) {
        return new Handle(kernel, cell, owner);
    }

    /**
     * Moves this owned handle into the typed class {@code type} ({@code Port.class}…), after
     * checking with {@code ZX_INFO_HANDLE_BASIC} that the object has that type. On success this
     * object is unusable; on a type mismatch nothing changes.
     *
     * @param <T> the typed class
     * @param type the class, such as {@code Port.class}
     * @return the typed object, now owning the handle
     * @throws IllegalArgumentException if the object is not of that type
     */
    public <T extends HandleObject<T>> T into(Class<T> type) {
        if (type == Handle.class) {
            return type.cast(this);
        }
        ObjectType actual = info().type();
        ObjectType expected = Kernel.objectTypeOf(type);
        if (!actual.equals(expected)) {
            throw new IllegalArgumentException(cell.describe() + " is a " + actual + ", not a "
                    + expected);
        }
        if (!owner) {
            throw new IllegalStateException("a borrowed view cannot be converted; borrow() the "
                    + "typed owner instead");
        }
        int value = cell.takeExclusive("convert", "converted to " + type.getSimpleName());
        return kernel.wrapOwned(value, type);
    }
}
