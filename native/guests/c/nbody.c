/* zx4j-fp: a double-precision n-body integration (five bodies, softened gravity, symplectic
 * Euler steps) — SSE2 scalar arithmetic, square roots and divisions. Returns the bits of the
 * final energy mixed with the positions, so every rounding shows. */
#include <stdint.h>

struct body {
    double x, y, z, vx, vy, vz, m;
};

static uint64_t bits(double d)
{
    union { double d; uint64_t u; } v = { d };
    return v.u;
}

uint64_t work(uint64_t n)
{
    struct body b[5] = {
        {0, 0, 0, 0, 0, 0, 39.47841760435743},
        {4.84143144246472090, -1.16032004402742839, -0.103622044471123109,
         0.606326392995832, 2.81198684491626, -0.02521836165988763, 0.03769367487038949},
        {8.34336671824457987, 4.12479856412430479, -0.403523417114321381,
         -1.01077434617730, 1.82566237123041, 0.008415761376584154, 0.011286326131968767},
        {12.8943695621391310, -15.1111514016986312, -0.223307578892655734,
         1.08279100644154, 0.868713018169608, -0.01010826734786680, 0.0017237240570597112},
        {15.3796971148509165, -25.9193146099879641, 0.179258772950371181,
         0.979090732243898, 0.594698998647676, -0.034755955504078104, 0.0020336868699246304},
    };
    const double dt = 0.01;
    for (uint64_t s = 0; s < n; s++) {
        for (int i = 0; i < 5; i++) {
            for (int j = i + 1; j < 5; j++) {
                double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
                double d2 = dx * dx + dy * dy + dz * dz + 1e-9;
                double mag = dt / (d2 * __builtin_sqrt(d2));
                b[i].vx -= dx * b[j].m * mag;
                b[i].vy -= dy * b[j].m * mag;
                b[i].vz -= dz * b[j].m * mag;
                b[j].vx += dx * b[i].m * mag;
                b[j].vy += dy * b[i].m * mag;
                b[j].vz += dz * b[i].m * mag;
            }
        }
        for (int i = 0; i < 5; i++) {
            b[i].x += dt * b[i].vx;
            b[i].y += dt * b[i].vy;
            b[i].z += dt * b[i].vz;
        }
    }
    double e = 0;
    uint64_t h = 0;
    for (int i = 0; i < 5; i++) {
        e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
        for (int j = i + 1; j < 5; j++) {
            double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
            e -= b[i].m * b[j].m / __builtin_sqrt(dx * dx + dy * dy + dz * dz);
        }
        h = h * 1000003 ^ bits(b[i].x) ^ (bits(b[i].vy) << 1);
    }
    return bits(e) ^ h;
}
