package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BzImageTest {

    @Test
    void parsesTheSetupHeader() throws Exception {
        byte[] file = TestImages.bzImage(0x020F, 27, 4096);
        BzImage img = BzImage.parse(file);
        assertEquals(0x020F, img.protocol());
        assertEquals(27, img.setupSects());
        assertEquals(0x100_0000, img.preferredAddress());
        assertEquals(0x200_0000, img.initSize());
        assertEquals(0x20_0000, img.kernelAlignment());
        assertEquals(0x7FF, img.cmdlineSize());
        assertArrayEquals(Arrays.copyOfRange(file, 0x1F1, 0x26C), img.setupHeader());
        assertArrayEquals(Arrays.copyOfRange(file, 28 * 512, file.length),
                img.protectedModeKernel());
    }

    @Test
    void zeroSetupSectsMeansFour() throws Exception {
        byte[] file = TestImages.bzImage(0x020F, 4, 4096);
        file[0x1F1] = 0;
        assertEquals(4, BzImage.parse(file).setupSects());
    }

    private static String refusal(byte[] file) {
        return assertThrows(BzImage.InvalidImageException.class, () -> BzImage.parse(file))
                .getMessage();
    }

    @Test
    void refusesWhatIsNotABzImage() {
        assertTrue(refusal(new byte[100]).contains("too short"));
        byte[] elf = new byte[8192];
        elf[0] = 0x7F;
        elf[1] = 'E';
        assertTrue(refusal(elf).contains("HdrS"));
        byte[] old = TestImages.bzImage(0x020B, 4, 4096);
        assertTrue(refusal(old).contains("2.11 is too old"), refusal(old));
        byte[] no64 = TestImages.bzImage(0x020F, 4, 4096);
        no64[0x236] = 0x02;
        assertTrue(refusal(no64).contains("XLF_KERNEL_64"));
        byte[] zimage = TestImages.bzImage(0x020F, 4, 4096);
        zimage[0x211] = 0;
        assertTrue(refusal(zimage).contains("zImage"));
        byte[] fixed = TestImages.bzImage(0x020F, 4, 4096);
        fixed[0x234] = 0;
        assertTrue(refusal(fixed).contains("not relocatable"));
        byte[] truncated = java.util.Arrays.copyOf(TestImages.bzImage(0x020F, 27, 4096), 0x1000);
        assertTrue(refusal(truncated).contains("truncated"));
    }
}
