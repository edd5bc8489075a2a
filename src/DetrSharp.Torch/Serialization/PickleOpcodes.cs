namespace DetrSharp.Torch.Serialization;

/// <summary>The pickle opcodes of protocols 0 to 5 (names as in Python's <c>pickletools</c>).</summary>
public static class PickleOpcodes
{
    public const byte MARK = (byte)'(', STOP = (byte)'.', POP = (byte)'0', POP_MARK = (byte)'1', DUP = (byte)'2';
    public const byte FLOAT = (byte)'F', INT = (byte)'I', BININT = (byte)'J', BININT1 = (byte)'K', LONG = (byte)'L';
    public const byte BININT2 = (byte)'M', NONE = (byte)'N', PERSID = (byte)'P', BINPERSID = (byte)'Q', REDUCE = (byte)'R';
    public const byte STRING = (byte)'S', BINSTRING = (byte)'T', SHORT_BINSTRING = (byte)'U', UNICODE = (byte)'V';
    public const byte BINUNICODE = (byte)'X', APPEND = (byte)'a', BUILD = (byte)'b', GLOBAL = (byte)'c', DICT = (byte)'d';
    public const byte EMPTY_DICT = (byte)'}', APPENDS = (byte)'e', GET = (byte)'g', BINGET = (byte)'h', INST = (byte)'i';
    public const byte LONG_BINGET = (byte)'j', LIST = (byte)'l', EMPTY_LIST = (byte)']', OBJ = (byte)'o', PUT = (byte)'p';
    public const byte BINPUT = (byte)'q', LONG_BINPUT = (byte)'r', SETITEM = (byte)'s', TUPLE = (byte)'t';
    public const byte EMPTY_TUPLE = (byte)')', SETITEMS = (byte)'u', BINFLOAT = (byte)'G';
    // protocol 2
    public const byte PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, TUPLE1 = 0x85, TUPLE2 = 0x86;
    public const byte TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b;
    // protocol 3
    public const byte BINBYTES = (byte)'B', SHORT_BINBYTES = (byte)'C';
    // protocol 4
    public const byte SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, EMPTY_SET = 0x8f, ADDITEMS = 0x90;
    public const byte FROZENSET = 0x91, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95;
    // protocol 5
    public const byte BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97, READONLY_BUFFER = 0x98;

    /// <summary>The opcode's pickletools name, or null for a byte that is no opcode.</summary>
    public static string? Name(byte op) => op switch
    {
        MARK => "MARK", STOP => "STOP", POP => "POP", POP_MARK => "POP_MARK", DUP => "DUP", FLOAT => "FLOAT",
        INT => "INT", BININT => "BININT", BININT1 => "BININT1", LONG => "LONG", BININT2 => "BININT2", NONE => "NONE",
        PERSID => "PERSID", BINPERSID => "BINPERSID", REDUCE => "REDUCE", STRING => "STRING", BINSTRING => "BINSTRING",
        SHORT_BINSTRING => "SHORT_BINSTRING", UNICODE => "UNICODE", BINUNICODE => "BINUNICODE", APPEND => "APPEND",
        BUILD => "BUILD", GLOBAL => "GLOBAL", DICT => "DICT", EMPTY_DICT => "EMPTY_DICT", APPENDS => "APPENDS",
        GET => "GET", BINGET => "BINGET", INST => "INST", LONG_BINGET => "LONG_BINGET", LIST => "LIST",
        EMPTY_LIST => "EMPTY_LIST", OBJ => "OBJ", PUT => "PUT", BINPUT => "BINPUT", LONG_BINPUT => "LONG_BINPUT",
        SETITEM => "SETITEM", TUPLE => "TUPLE", EMPTY_TUPLE => "EMPTY_TUPLE", SETITEMS => "SETITEMS",
        BINFLOAT => "BINFLOAT", PROTO => "PROTO", NEWOBJ => "NEWOBJ", EXT1 => "EXT1", EXT2 => "EXT2", EXT4 => "EXT4",
        TUPLE1 => "TUPLE1", TUPLE2 => "TUPLE2", TUPLE3 => "TUPLE3", NEWTRUE => "NEWTRUE", NEWFALSE => "NEWFALSE",
        LONG1 => "LONG1", LONG4 => "LONG4", BINBYTES => "BINBYTES", SHORT_BINBYTES => "SHORT_BINBYTES",
        SHORT_BINUNICODE => "SHORT_BINUNICODE", BINUNICODE8 => "BINUNICODE8", BINBYTES8 => "BINBYTES8",
        EMPTY_SET => "EMPTY_SET", ADDITEMS => "ADDITEMS", FROZENSET => "FROZENSET", NEWOBJ_EX => "NEWOBJ_EX",
        STACK_GLOBAL => "STACK_GLOBAL", MEMOIZE => "MEMOIZE", FRAME => "FRAME", BYTEARRAY8 => "BYTEARRAY8",
        NEXT_BUFFER => "NEXT_BUFFER", READONLY_BUFFER => "READONLY_BUFFER",
        _ => null,
    };
}
