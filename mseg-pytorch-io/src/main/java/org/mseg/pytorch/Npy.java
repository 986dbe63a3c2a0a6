package org.mseg.pytorch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0 and C-ordered arrays of {@code float32} (either byte order),
 * {@code float64}, {@code float16}, {@code int64}, {@code int32}, {@code int16}, {@code int8}, {@code uint8} and
 * {@code bool}, all converted to {@code float}. Fortran-ordered arrays, structured and other dtypes are refused with
 * a message naming the file and the header found. Writing produces little-endian {@code float32} in C order, format
 * 1.0 (2.0 when the header would not fit), which {@code numpy.load} reads.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([^'\"]*)['\"]");
    private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");
    private static final int HEADER_ALIGNMENT = 64;

    private Npy() {
    }

    /**
     * Reads a {@code .npy} file.
     *
     * @param file the file
     * @return its array as {@code float}s in C order
     * @throws TensorFileException when the file is missing, truncated, not a .npy file, Fortran-ordered or of an
     *                             unsupported dtype; the message names the file and the header found
     */
    public static NpyArray read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TensorFileException(file.toString(), "no such .npy file", e);
        } catch (IOException e) {
            throw new TensorFileException(file.toString(), "cannot read .npy file: " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    /**
     * Parses the bytes of a {@code .npy} file.
     *
     * @param bytes  the whole file
     * @param source the name to use in error messages
     * @return the array as {@code float}s in C order
     * @throws TensorFileException as {@link #read(Path)}
     */
    public static NpyArray parse(byte[] bytes, String source) {
        if (bytes.length < 10 || !startsWithMagic(bytes)) {
            throw new TensorFileException(source, "not a .npy file (the first bytes are not \\x93NUMPY)");
        }
        int major = bytes[6] & 0xff;
        int minor = bytes[7] & 0xff;
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = buf.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new TensorFileException(source, "truncated .npy header");
            }
            headerLength = buf.getInt(8) & 0xffffffffL;
            headerStart = 12;
        } else {
            throw new TensorFileException(source, ".npy format version " + major + "." + minor
                    + " is not supported (1.0, 2.0 and 3.0 are)");
        }
        if (headerStart + headerLength > bytes.length) {
            throw new TensorFileException(source, "truncated .npy header: it declares " + headerLength
                    + " bytes but the file has " + (bytes.length - headerStart) + " after the preamble");
        }
        int dataStart = (int) (headerStart + headerLength);
        String header = new String(bytes, headerStart, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).trim();
        Header h = parseHeader(header, source);
        ElementType type = ElementType.of(h.descr);
        if (type == null) {
            throw new TensorFileException(source, "unsupported dtype '" + h.descr + "' (fortran_order="
                    + pythonBool(h.fortranOrder) + ", shape " + Shapes.python(h.shape) + "); supported: "
                    + "<f4 >f4 <f8 >f8 <f2 >f2 <i8 >i8 <i4 >i4 <i2 >i2 |i1 |u1 |b1");
        }
        if (h.fortranOrder) {
            throw new TensorFileException(source, "Fortran-ordered array (dtype '" + h.descr
                    + "', fortran_order=True, shape " + Shapes.python(h.shape)
                    + ") is not supported; save it with numpy.ascontiguousarray(a) first");
        }
        long numel = Shapes.numel(h.shape);
        if (numel < 0 || numel > Shapes.MAX_ELEMENTS) {
            throw new TensorFileException(source, "shape " + Shapes.python(h.shape) + " is too large to load");
        }
        long needed = numel * type.size;
        long available = bytes.length - dataStart;
        if (available < needed) {
            throw new TensorFileException(source, "truncated data: dtype '" + h.descr + "' shape "
                    + Shapes.python(h.shape) + " needs " + needed + " bytes but only " + available + " follow the header");
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) needed).slice().order(type.order);
        float[] out = new float[(int) numel];
        if (type.kind == 'f' && type.size == 4) {
            data.asFloatBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = type.read(data, i);
            }
        }
        return new NpyArray(h.shape, out);
    }

    /**
     * Writes an array as a little-endian {@code float32}, C-ordered {@code .npy} file, replacing any existing file.
     *
     * @param file  the file to write
     * @param array the array
     * @throws TensorFileException when the file cannot be written
     */
    public static void write(Path file, NpyArray array) {
        try {
            Files.write(file, toBytes(array));
        } catch (IOException e) {
            throw new TensorFileException(file.toString(), "cannot write .npy file: " + e.getMessage(), e);
        }
    }

    /**
     * Encodes an array as the bytes of a little-endian {@code float32}, C-ordered {@code .npy} file.
     *
     * @param array the array
     * @return the file content
     */
    public static byte[] toBytes(NpyArray array) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + Shapes.python(array.shape()) + ", }";
        int preamble = 10;
        int total = preamble + dict.length() + 1;
        int padded = (total + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT;
        int major = 1;
        if (padded - preamble > 0xffff) {
            major = 2;
            preamble = 12;
            total = preamble + dict.length() + 1;
            padded = (total + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT;
        }
        String header = dict + " ".repeat(padded - total) + "\n";
        ByteBuffer out = ByteBuffer.allocate(padded + 4 * array.data().length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) header.length());
        } else {
            out.putInt(header.length());
        }
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.asFloatBuffer().put(array.data());
        return out.array();
    }

    private static boolean startsWithMagic(byte[] bytes) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private record Header(String descr, boolean fortranOrder, long[] shape) {
    }

    private static Header parseHeader(String header, String source) {
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shape = SHAPE.matcher(header);
        if (!descr.find()) {
            String what = header.contains("descr") ? "a structured dtype (descr is not a simple type string)"
                    : "no 'descr' entry";
            throw new TensorFileException(source, "unsupported .npy header, " + what + ": " + header);
        }
        if (!fortran.find() || !shape.find()) {
            throw new TensorFileException(source, "malformed .npy header (needs descr, fortran_order, shape): "
                    + header);
        }
        List<Long> dims = new ArrayList<>();
        for (String part : shape.group(1).split(",")) {
            String p = part.trim();
            if (p.endsWith("L")) {
                p = p.substring(0, p.length() - 1);
            }
            if (p.isEmpty()) {
                continue;
            }
            try {
                dims.add(Long.parseLong(p));
            } catch (NumberFormatException e) {
                throw new TensorFileException(source, "malformed shape in .npy header: " + header, e);
            }
        }
        long[] dimsArray = dims.stream().mapToLong(Long::longValue).toArray();
        return new Header(descr.group(1), fortran.group(1).equals("True"), dimsArray);
    }

    private static String pythonBool(boolean b) {
        return b ? "True" : "False";
    }

    /** The element types the reader converts to float. */
    private record ElementType(char kind, int size, ByteOrder order) {
        static ElementType of(String descr) {
            if (descr.length() < 3) {
                return null;
            }
            char orderChar = descr.charAt(0);
            char kind = descr.charAt(1);
            int size;
            try {
                size = Integer.parseInt(descr.substring(2));
            } catch (NumberFormatException e) {
                return null;
            }
            ByteOrder order;
            switch (orderChar) {
                case '<', '|' -> order = ByteOrder.LITTLE_ENDIAN;
                case '>' -> order = ByteOrder.BIG_ENDIAN;
                case '=' -> order = ByteOrder.nativeOrder();
                default -> {
                    return null;
                }
            }
            boolean supported = switch (kind) {
                case 'f' -> size == 2 || size == 4 || size == 8;
                case 'i' -> size == 1 || size == 2 || size == 4 || size == 8;
                case 'u', 'b' -> size == 1;
                default -> false;
            };
            return supported ? new ElementType(kind, size, order) : null;
        }

        float read(ByteBuffer b, int i) {
            return switch (kind) {
                case 'f' -> switch (size) {
                    case 2 -> StorageType.halfToFloat(b.getShort(2 * i));
                    case 4 -> b.getFloat(4 * i);
                    default -> (float) b.getDouble(8 * i);
                };
                case 'i' -> switch (size) {
                    case 1 -> b.get(i);
                    case 2 -> b.getShort(2 * i);
                    case 4 -> b.getInt(4 * i);
                    default -> b.getLong(8 * i);
                };
                case 'u' -> b.get(i) & 0xff;
                default -> b.get(i) != 0 ? 1f : 0f;
            };
        }
    }
}
