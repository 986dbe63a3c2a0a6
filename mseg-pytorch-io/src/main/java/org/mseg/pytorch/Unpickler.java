package org.mseg.pytorch;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small pickle virtual machine for the data {@code torch.save} writes (protocols 2 to 5, plus the protocol 0/1
 * opcodes that are plain data).
 *
 * <p>It never runs Python code: a {@code GLOBAL} is handed to a {@link GlobalResolver}, which returns a value for the
 * few globals it allows and throws for any other. Python values become Java values: dict → {@link LinkedHashMap}
 * (insertion order), list → {@link ArrayList}, tuple → unmodifiable {@link List}, set → {@link LinkedHashSet}, str →
 * {@link String}, bytes → {@code byte[]}, int → {@link Long} (or {@link BigInteger} beyond 64 bits), float →
 * {@link Double}, bool → {@link Boolean}, None → {@link PickleRefs#NONE}.
 */
final class Unpickler {

    /** Resolves a {@code module.name} global; throws for globals that are not allowed. */
    @FunctionalInterface
    interface GlobalResolver {
        Object resolve(String module, String name);
    }

    /** Turns a persistent id (BINPERSID) into an object. */
    @FunctionalInterface
    interface PersistentLoader {
        Object load(Object pid);
    }

    private static final Object MARK = new Object();
    private static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    private final Input in;
    private final String source;
    private final GlobalResolver globals;
    private final PersistentLoader persistent;

    /**
     * @param in         the stream, positioned at a pickle
     * @param limit      bytes available from the current position (lengths beyond it are corrupt data)
     * @param source     name for error messages, e.g. {@code model.pth (archive/data.pkl)}
     * @param globals    resolves allowed globals
     * @param persistent resolves persistent ids
     */
    Unpickler(InputStream in, long limit, String source, GlobalResolver globals, PersistentLoader persistent) {
        this.in = new Input(in, limit);
        this.source = source;
        this.globals = globals;
        this.persistent = persistent;
    }

    /** @return bytes consumed so far */
    long position() {
        return in.position;
    }

    /** Reads one little-endian int64 from the stream (the legacy format's storage headers). */
    long readRawLong() {
        try {
            return in.int64();
        } catch (IOException e) {
            throw error("unexpected end of file (truncated checkpoint?)", e);
        }
    }

    /** Skips raw bytes (the legacy format's storage data). */
    void skipRaw(long n) {
        try {
            in.skip(n);
        } catch (IOException e) {
            throw error("unexpected end of file (truncated checkpoint?)", e);
        }
    }

    /** Runs the machine until STOP and returns the pickled object; may be called again for the next pickle. */
    Object load() {
        List<Object> stack = new ArrayList<>();
        Map<Long, Object> memo = new HashMap<>();
        try {
            while (true) {
                long at = in.position;
                int op = in.u8();
                switch (op) {
                    case 0x80 -> { // PROTO
                        int protocol = in.u8();
                        if (protocol > 5) {
                            throw error("pickle protocol " + protocol + " is newer than the reader (up to 5)", null);
                        }
                    }
                    case 0x95 -> in.int64(); // FRAME: a length hint only
                    case '.' -> { // STOP
                        if (stack.size() != 1) {
                            throw error("corrupt pickle: STOP with " + stack.size() + " values on the stack", null);
                        }
                        return stack.get(0);
                    }
                    case '(' -> stack.add(MARK);
                    case '0' -> pop(stack, at);
                    case '1' -> popMark(stack, at);
                    case '2' -> stack.add(peek(stack, at));
                    case 'N' -> stack.add(PickleRefs.NONE);
                    case 0x88 -> stack.add(Boolean.TRUE);
                    case 0x89 -> stack.add(Boolean.FALSE);
                    case 'J' -> stack.add((long) in.int32());
                    case 'K' -> stack.add((long) in.u8());
                    case 'M' -> stack.add((long) in.u16());
                    case 0x8a -> stack.add(longFromBytes(in.bytes(in.u8())));
                    case 0x8b -> stack.add(longFromBytes(in.bytes(length(in.int32(), at))));
                    case 'I' -> stack.add(textInt(in.line(), at));
                    case 'L' -> stack.add(textLong(in.line(), at));
                    case 'F' -> stack.add(textFloat(in.line(), at));
                    case 'G' -> stack.add(Double.longBitsToDouble(in.int64BigEndian()));
                    case 'X' -> stack.add(utf8(in.bytes(length(in.int32(), at))));
                    case 0x8c -> stack.add(utf8(in.bytes(in.u8())));
                    case 0x8d -> stack.add(utf8(in.bytes(length(in.int64(), at))));
                    case 'T' -> stack.add(latin1(in.bytes(length(in.int32(), at))));
                    case 'U' -> stack.add(latin1(in.bytes(in.u8())));
                    case 'B' -> stack.add(in.bytes(length(in.int32(), at)));
                    case 'C' -> stack.add(in.bytes(in.u8()));
                    case 0x8e, 0x96 -> stack.add(in.bytes(length(in.int64(), at)));
                    case '}' -> stack.add(new LinkedHashMap<>());
                    case ']' -> stack.add(new ArrayList<>());
                    case ')' -> stack.add(List.of());
                    case 0x8f -> stack.add(new LinkedHashSet<>());
                    case 'd' -> {
                        List<Object> items = popMark(stack, at);
                        Map<Object, Object> dict = new LinkedHashMap<>();
                        putPairs(dict, items, at);
                        stack.add(dict);
                    }
                    case 'l' -> stack.add(new ArrayList<>(popMark(stack, at)));
                    case 't' -> stack.add(tuple(popMark(stack, at)));
                    case 0x85 -> stack.add(tuple(popN(stack, 1, at)));
                    case 0x86 -> stack.add(tuple(popN(stack, 2, at)));
                    case 0x87 -> stack.add(tuple(popN(stack, 3, at)));
                    case 0x91 -> stack.add(Collections.unmodifiableSet(new LinkedHashSet<>(popMark(stack, at))));
                    case 'a' -> {
                        Object value = pop(stack, at);
                        asList(peek(stack, at), at).add(value);
                    }
                    case 'e' -> {
                        List<Object> items = popMark(stack, at);
                        asList(peek(stack, at), at).addAll(items);
                    }
                    case 's' -> {
                        Object value = pop(stack, at);
                        Object key = pop(stack, at);
                        asMap(peek(stack, at), at).put(key, value);
                    }
                    case 'u' -> {
                        List<Object> items = popMark(stack, at);
                        putPairs(asMap(peek(stack, at), at), items, at);
                    }
                    case 0x90 -> {
                        List<Object> items = popMark(stack, at);
                        Object target = peek(stack, at);
                        if (!(target instanceof Set<?>)) {
                            throw error("corrupt pickle: ADDITEMS on " + typeName(target) + " at byte " + at, null);
                        }
                        @SuppressWarnings("unchecked")
                        Set<Object> set = (Set<Object>) target;
                        set.addAll(items);
                    }
                    case 'q' -> memo.put((long) in.u8(), peek(stack, at));
                    case 'r' -> memo.put(in.int32() & 0xffffffffL, peek(stack, at));
                    case 'p' -> memo.put(memoIndex(in.line(), at), peek(stack, at));
                    case 0x94 -> memo.put((long) memo.size(), peek(stack, at));
                    case 'h' -> stack.add(memoGet(memo, in.u8(), at));
                    case 'j' -> stack.add(memoGet(memo, in.int32() & 0xffffffffL, at));
                    case 'g' -> stack.add(memoGet(memo, memoIndex(in.line(), at), at));
                    case 'c' -> {
                        String module = latin1(in.line());
                        String name = latin1(in.line());
                        stack.add(globals.resolve(module, name));
                    }
                    case 0x93 -> {
                        Object name = pop(stack, at);
                        Object module = pop(stack, at);
                        if (!(module instanceof String m) || !(name instanceof String n)) {
                            throw error("corrupt pickle: STACK_GLOBAL needs two strings at byte " + at, null);
                        }
                        stack.add(globals.resolve(m, n));
                    }
                    case 'R' -> {
                        Object args = pop(stack, at);
                        Object callable = pop(stack, at);
                        stack.add(call(callable, args, at));
                    }
                    case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args); our allowed classes are plain constructors
                        Object args = pop(stack, at);
                        Object cls = pop(stack, at);
                        stack.add(call(cls, args, at));
                    }
                    case 0x92 -> { // NEWOBJ_EX
                        Object kwargs = pop(stack, at);
                        Object args = pop(stack, at);
                        Object cls = pop(stack, at);
                        if (kwargs instanceof Map<?, ?> m && !m.isEmpty()) {
                            throw error("NEWOBJ_EX with keyword arguments at byte " + at + " is not supported", null);
                        }
                        stack.add(call(cls, args, at));
                    }
                    case 'b' -> build(pop(stack, at), peek(stack, at));
                    case 'Q' -> stack.add(persistent.load(pop(stack, at)));
                    case 'P' -> stack.add(persistent.load(latin1(in.line())));
                    default -> throw error(String.format("unsupported pickle opcode 0x%02x%s at byte %d", op,
                            op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : "", at)
                            + (op == 'i' || op == 'o' || (op >= 0x82 && op <= 0x84)
                            ? " (it would instantiate arbitrary classes)" : ""), null);
                }
            }
        } catch (EOFException e) {
            throw error("unexpected end of data at byte " + in.position + " (truncated checkpoint?)", e);
        } catch (IOException e) {
            throw error("cannot read: " + e.getMessage(), e);
        }
    }

    private TensorFileException error(String problem, Throwable cause) {
        return cause == null ? new TensorFileException(source, problem) : new TensorFileException(source, problem, cause);
    }

    private Object call(Object callable, Object args, long at) {
        if (!(callable instanceof PickleRefs.Callable c)) {
            throw error("corrupt pickle: " + typeName(callable) + " is not callable (byte " + at + ")", null);
        }
        if (!(args instanceof List<?> list)) {
            throw error("corrupt pickle: call arguments are " + typeName(args) + ", not a tuple (byte " + at + ")",
                    null);
        }
        @SuppressWarnings("unchecked")
        List<Object> argList = (List<Object>) list;
        return c.call(argList);
    }

    /** BUILD sets object state; the objects built here (dicts, tensors, dtypes) keep what they need themselves. */
    private static void build(Object state, Object target) {
        if (target instanceof PickleGlobals.NumpyDtype dtype) {
            dtype.setState(state);
        }
    }

    private Object memoGet(Map<Long, Object> memo, long index, long at) {
        Object value = memo.get(index);
        if (value == null) {
            throw error("corrupt pickle: memo entry " + index + " read before it was stored (byte " + at + ")", null);
        }
        return value;
    }

    private Object pop(List<Object> stack, long at) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw error("corrupt pickle: stack underflow at byte " + at, null);
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(List<Object> stack, long at) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw error("corrupt pickle: stack underflow at byte " + at, null);
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(List<Object> stack, int n, long at) {
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(0, pop(stack, at));
        }
        return items;
    }

    private List<Object> popMark(List<Object> stack, long at) {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) {
            throw error("corrupt pickle: no MARK on the stack at byte " + at, null);
        }
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private void putPairs(Map<Object, Object> dict, List<Object> items, long at) {
        if (items.size() % 2 != 0) {
            throw error("corrupt pickle: odd number of dict items at byte " + at, null);
        }
        for (int i = 0; i < items.size(); i += 2) {
            dict.put(items.get(i), items.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o, long at) {
        if (o instanceof ArrayList<?> list) {
            return (List<Object>) list;
        }
        throw error("corrupt pickle: APPEND to " + typeName(o) + " at byte " + at, null);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o, long at) {
        if (o instanceof LinkedHashMap<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw error("corrupt pickle: SETITEM on " + typeName(o) + " at byte " + at, null);
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(items);
    }

    private int length(long declared, long at) {
        if (declared < 0 || declared > MAX_LENGTH || declared > in.remaining()) {
            throw error("corrupt or truncated pickle: a value of " + declared + " bytes at byte " + at
                    + " runs past the end of the data (" + in.remaining() + " bytes left)", null);
        }
        return (int) declared;
    }

    /** Little-endian two's complement of any length (LONG1/LONG4); a Long when it fits. */
    private static Object longFromBytes(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] big = new byte[littleEndian.length];
        for (int i = 0; i < big.length; i++) {
            big[i] = littleEndian[littleEndian.length - 1 - i];
        }
        BigInteger value = new BigInteger(big);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private Object textInt(byte[] line, long at) {
        String s = latin1(line).trim();
        if (s.equals("00")) {
            return Boolean.FALSE;
        }
        if (s.equals("01")) {
            return Boolean.TRUE;
        }
        return textLong(line, at);
    }

    private Object textLong(byte[] line, long at) {
        String s = latin1(line).trim();
        if (s.endsWith("L")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            BigInteger value = new BigInteger(s);
            return value.bitLength() < 64 ? (Object) value.longValue() : value;
        } catch (NumberFormatException e) {
            throw error("corrupt pickle: bad integer '" + s + "' at byte " + at, e);
        }
    }

    private long memoIndex(byte[] line, long at) {
        if (textLong(line, at) instanceof Long index) {
            return index;
        }
        throw error("corrupt pickle: memo index out of range at byte " + at, null);
    }

    private Object textFloat(byte[] line, long at) {
        String s = latin1(line).trim();
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw error("corrupt pickle: bad float '" + s + "' at byte " + at, e);
        }
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static String typeName(Object o) {
        if (o == PickleRefs.NONE) {
            return "None";
        }
        return o == null ? "null" : o.getClass().getSimpleName();
    }

    /** Position-counting reader over the raw stream. */
    private static final class Input {
        private final InputStream in;
        private final long limit;
        private long position;

        Input(InputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        long remaining() {
            return limit - position;
        }

        int u8() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            position++;
            return b;
        }

        int u16() throws IOException {
            return u8() | (u8() << 8);
        }

        int int32() throws IOException {
            return u8() | (u8() << 8) | (u8() << 16) | (u8() << 24);
        }

        long int64() throws IOException {
            long lo = int32() & 0xffffffffL;
            long hi = int32() & 0xffffffffL;
            return lo | (hi << 32);
        }

        long int64BigEndian() throws IOException {
            return Long.reverseBytes(int64());
        }

        byte[] bytes(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            position += b.length;
            if (b.length < n) {
                throw new EOFException();
            }
            return b;
        }

        void skip(long n) throws IOException {
            in.skipNBytes(n);
            position += n;
        }

        byte[] line() throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int b;
            while ((b = u8()) != '\n') {
                out.write(b);
                if (out.size() > 1 << 16) {
                    throw new IOException("text opcode line longer than 64 KiB");
                }
            }
            return out.toByteArray();
        }
    }
}
