package org.mseg.hrnet;

import org.mseg.api.MsegException;

/**
 * An input size HRNet cannot take. The network reduces the resolution by 8 before its last branches and upsamples the
 * logits with {@code align_corners = true}, so height and width must both be {@code 8k + 1} (e.g. 473, 593, 713). The
 * message names the rejected size and the nearest valid sizes.
 */
public final class InvalidInputSizeException extends MsegException {
    private static final long serialVersionUID = 1L;

    private final long height;
    private final long width;

    /** Creates the exception for an input of {@code height × width} pixels. */
    public InvalidInputSizeException(long height, long width) {
        super(message(height, width));
        this.height = height;
        this.width = width;
    }

    /** The rejected height. */
    public long height() {
        return height;
    }

    /** The rejected width. */
    public long width() {
        return width;
    }

    /** Whether HRNet accepts {@code size} as a height or width: positive and {@code (size − 1) % 8 == 0}. */
    public static boolean isValidSize(long size) {
        return size >= 1 && (size - 1) % 8 == 0;
    }

    /** The largest valid size ≤ {@code size} (1 if there is none) and the smallest valid size ≥ {@code size}. */
    public static long[] nearestValidSizes(long size) {
        if (size <= 1) {
            return new long[] {1, 1};
        }
        long below = (size - 1) / 8 * 8 + 1;
        long above = below == size ? size : below + 8;
        return new long[] {below, above};
    }

    private static String message(long height, long width) {
        StringBuilder sb = new StringBuilder("HRNet input size ").append(height).append('x').append(width)
                .append(" (height x width) is not valid: both must be 8k+1 (e.g. 473, 593, 713) because (size - 1)"
                        + " must be divisible by 8;");
        appendAdvice(sb, "height", height);
        appendAdvice(sb, "width", width);
        sb.setCharAt(sb.length() - 1, '.');
        return sb.toString();
    }

    private static void appendAdvice(StringBuilder sb, String what, long size) {
        if (isValidSize(size)) {
            sb.append(' ').append(what).append(' ').append(size).append(" is fine;");
            return;
        }
        long[] nearest = nearestValidSizes(size);
        sb.append(' ').append(what).append(' ').append(size).append(": use ");
        if (nearest[0] < size && nearest[0] >= 1 && size > 1) {
            sb.append(nearest[0]).append(" or ");
        }
        sb.append(nearest[1]).append(';');
    }
}
