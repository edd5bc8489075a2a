using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch.Dispatch;

/// <summary>
/// An ATen operator called by schema name through c10::Dispatcher ("aten::sum.dim_IntList").
/// The operator is looked up once; each call boxes its arguments, and arguments left out take the
/// schema's defaults. Autograd applies as to any libtorch call.
/// </summary>
public sealed class Op
{
    static readonly ConcurrentDictionary<string, IntPtr> Utf8Names = new();

    readonly string _name;
    readonly string _overload;
    IntPtr _handle;

    /// <param name="qualifiedName">"aten::name" or "aten::name.overload".</param>
    public Op(string qualifiedName) => (_name, _overload) = Split(qualifiedName);

    /// <summary>"aten::sum.dim_IntList" as ("aten::sum", "dim_IntList"); no overload is "".</summary>
    static (string Name, string Overload) Split(string qualifiedName)
    {
        int dot = qualifiedName.IndexOf('.', qualifiedName.IndexOf("::", StringComparison.Ordinal) + 2);
        return dot < 0 ? (qualifiedName, "") : (qualifiedName[..dot], qualifiedName[(dot + 1)..]);
    }

    /// <summary>Whether libtorch's dispatcher has this operator ("aten::name" or "aten::name.overload").</summary>
    public static unsafe bool Exists(string qualifiedName)
    {
        var (name, overload) = Split(qualifiedName);
        fixed (byte* n = NullTerminated(name))
        fixed (byte* o = NullTerminated(overload))
            return TorchException.Check(NativeMethods.dsh_has_schema(n, o)) == 1;
    }

    public override string ToString() => _overload.Length == 0 ? _name : _name + "." + _overload;

    unsafe IntPtr Handle
    {
        get
        {
            var h = _handle;
            if (h != IntPtr.Zero) return h;
            fixed (byte* n = NullTerminated(_name))
            fixed (byte* o = NullTerminated(_overload))
                h = TorchException.Check(NativeMethods.dsh_op_find(n, o));
            _handle = h;
            return h;
        }
    }

    /// <summary>The operator's schema as libtorch prints it.</summary>
    public string Schema => Marshal.PtrToStringUTF8(NativeMethods.dsh_op_schema(Handle)) ?? "";

    static byte[] NullTerminated(string s)
    {
        var b = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, b);
        return b;
    }

    static IntPtr NameUtf8(string name) => Utf8Names.GetOrAdd(name, n => Marshal.StringToCoTaskMemUTF8(n));

    /// <summary>Calls the operator; fills <paramref name="outs"/> and returns how many there are.</summary>
    internal unsafe int Call(ReadOnlySpan<Arg> args, Span<OpOut> outs)
    {
        var handle = Handle;
        int n = args.Length;
        OpArg* native = stackalloc OpArg[Math.Max(n, 1)];
        GCHandle[]? pins = null;
        int pinCount = 0;
        IntPtr[]? strings = null;
        int stringCount = 0;
        try
        {
            for (int k = 0; k < n; k++)
            {
                ref readonly var a = ref args[k];
                var o = new OpArg { Kind = (int)a.Kind, I = a.I, D = a.D, N = 0, P = IntPtr.Zero, Name = a.Name is null ? IntPtr.Zero : NameUtf8(a.Name) };
                switch (a.Kind)
                {
                    case ArgKind.Tensor:
                        o.P = ((Tensor)a.O!).Handle;
                        break;
                    case ArgKind.Device:
                        o.N = (int)a.D;
                        break;
                    case ArgKind.Generator:
                        o.P = ((Generator)a.O!).Handle;
                        break;
                    case ArgKind.String:
                        strings ??= new IntPtr[n];
                        o.P = strings[stringCount++] = Marshal.StringToCoTaskMemUTF8((string)a.O!);
                        break;
                    case ArgKind.IntList:
                    case ArgKind.DoubleList:
                    case ArgKind.BoolList:
                    {
                        var arr = (Array)a.O!;
                        pins ??= new GCHandle[n];
                        var pin = pins[pinCount++] = GCHandle.Alloc(arr, GCHandleType.Pinned);
                        o.P = pin.AddrOfPinnedObject();
                        o.N = arr.Length;
                        break;
                    }
                    case ArgKind.TensorList:
                    case ArgKind.OptTensorList:
                    {
                        var ts = (Tensor?[])a.O!;
                        var hs = new IntPtr[ts.Length];
                        for (int j = 0; j < ts.Length; j++) hs[j] = ts[j]?.Handle ?? IntPtr.Zero;
                        pins ??= new GCHandle[n];
                        var pin = pins[pinCount++] = GCHandle.Alloc(hs, GCHandleType.Pinned);
                        o.P = pin.AddrOfPinnedObject();
                        o.N = hs.Length;
                        break;
                    }
                }
                native[k] = o;
            }
            fixed (OpOut* po = outs)
            {
                int r = NativeMethods.dsh_op_call(handle, native, n, po, outs.Length);
                if (r < 0) throw new TorchException($"{this}: {TorchException.Last().Message}");
                return r;
            }
        }
        finally
        {
            for (int k = 0; k < pinCount; k++) pins![k].Free();
            for (int k = 0; k < stringCount; k++) Marshal.FreeCoTaskMem(strings![k]);
        }
    }

    /// <summary>Calls an operator returning one tensor (null if it returned None or an undefined tensor).</summary>
    public Tensor? TensorOrNull(params ReadOnlySpan<Arg> args)
    {
        Span<OpOut> outs = stackalloc OpOut[4];
        int n = Call(args, outs);
        for (int k = 1; k < n; k++) Release(outs[k]); // outputs the caller did not ask for
        return n == 0 ? null : ToTensor(outs[0]);
    }

    /// <summary>Calls an operator returning one tensor.</summary>
    public Tensor Tensor(params ReadOnlySpan<Arg> args)
        => TensorOrNull(args) ?? throw new TorchException($"{this} returned no tensor");

    /// <summary>Calls an operator returning two tensors (values and indices, ...).</summary>
    public (Tensor, Tensor) Tensor2(params ReadOnlySpan<Arg> args)
    {
        Span<OpOut> outs = stackalloc OpOut[4];
        int n = Call(args, outs);
        if (n < 2) throw new TorchException($"{this} returned {n} values, expected 2");
        return (ToTensor(outs[0])!, ToTensor(outs[1])!);
    }

    /// <summary>Calls an operator returning three tensors.</summary>
    public (Tensor, Tensor, Tensor) Tensor3(params ReadOnlySpan<Arg> args)
    {
        Span<OpOut> outs = stackalloc OpOut[4];
        int n = Call(args, outs);
        if (n < 3) throw new TorchException($"{this} returned {n} values, expected 3");
        return (ToTensor(outs[0])!, ToTensor(outs[1])!, ToTensor(outs[2])!);
    }

    /// <summary>Calls an operator returning a list of tensors.</summary>
    public Tensor[] TensorList(params ReadOnlySpan<Arg> args)
    {
        Span<OpOut> outs = stackalloc OpOut[2];
        int n = Call(args, outs);
        if (n < 1 || outs[0].Kind != (int)ArgKind.TensorList) throw new TorchException($"{this} returned no tensor list");
        return ToTensorList(outs[0]);
    }

    /// <summary>Calls an in-place operator and drops its returned alias of self.</summary>
    public void InPlace(params ReadOnlySpan<Arg> args)
    {
        Span<OpOut> outs = stackalloc OpOut[4];
        int n = Call(args, outs);
        for (int k = 0; k < n; k++) Release(outs[k]);
    }

    /// <summary>Calls an operator returning a number.</summary>
    public double Double(params ReadOnlySpan<Arg> args)
    {
        Span<OpOut> outs = stackalloc OpOut[4];
        int n = Call(args, outs);
        if (n < 1) throw new TorchException($"{this} returned nothing");
        var o = outs[0];
        return o.Kind == (int)ArgKind.Double ? o.D : o.I;
    }

    static Tensor? ToTensor(in OpOut o)
    {
        if (o.Kind == (int)ArgKind.None || o.P == IntPtr.Zero) return null;
        if (o.Kind != (int)ArgKind.Tensor) throw new TorchException($"expected a tensor result, got kind {o.Kind}");
        return Torch.Tensor.Wrap(o.P);
    }

    static unsafe Tensor[] ToTensorList(in OpOut o)
    {
        var arr = (IntPtr*)o.P;
        var result = new Tensor[o.N];
        for (int k = 0; k < o.N; k++) result[k] = Torch.Tensor.Wrap(arr[k]);
        NativeMethods.dsh_free(o.P);
        return result;
    }

    static void Release(in OpOut o)
    {
        if (o.Kind == (int)ArgKind.Tensor && o.P != IntPtr.Zero) NativeMethods.dsh_tensor_free(o.P);
        else if (o.Kind == (int)ArgKind.TensorList) foreach (var t in ToTensorList(o)) t.Dispose();
        else if (o.Kind == (int)ArgKind.IntList && o.P != IntPtr.Zero) NativeMethods.dsh_free(o.P);
    }
}
