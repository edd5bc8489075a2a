using System.Reflection;
using System.Runtime.InteropServices;
using DetrSharp.Torch.Dispatch;
using DetrSharp.Torch.Native;
using Xunit;

namespace DetrSharp.Torch.Tests.Native;

/// <summary>
/// The C# interop types against the shim's own description of its structs and enums (dsh_abi_info, native/src/abi.cpp):
/// a field moved, a kind renumbered or a value added on one side only fails here instead of corrupting calls.
/// </summary>
public class AbiTests
{
    /// <summary>"sizeof:dsh_arg" =&gt; 40, "offsetof:dsh_arg.kind" =&gt; 0, "enum:ArgKind.Tensor" =&gt; 1 ...</summary>
    static Dictionary<string, long> NativeInfo()
    {
        var text = Marshal.PtrToStringUTF8(TorchException.Check(NativeMethods.dsh_abi_info())) ?? "";
        var info = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = line.LastIndexOf('=');
            info.Add(line[..eq], long.Parse(line[(eq + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        return info;
    }

    /// <summary>C# field names as the C++ ones: "Kind" and "_pad" are "kind" and "pad".</summary>
    static string NativeFieldName(FieldInfo f) => f.Name.TrimStart('_').ToLowerInvariant();

    [Theory]
    [InlineData(typeof(Scalar), "dsh_scalar")]
    [InlineData(typeof(OpArg), "dsh_arg")]
    [InlineData(typeof(OpOut), "dsh_out")]
    public void StructLayoutsMatchTheShim(Type managed, string native)
    {
        var info = NativeInfo();
        Assert.True(info.ContainsKey("sizeof:" + native), $"the shim does not describe {native}");
        var problems = new List<string>();
        if (Marshal.SizeOf(managed) != info["sizeof:" + native])
            problems.Add($"size: C# {Marshal.SizeOf(managed)}, C++ {info["sizeof:" + native]}");

        var fields = managed.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        var nativeFields = info.Keys.Where(k => k.StartsWith($"offsetof:{native}.", StringComparison.Ordinal))
            .Select(k => k[$"offsetof:{native}.".Length..]).ToHashSet();
        foreach (var f in fields)
        {
            var name = NativeFieldName(f);
            if (!nativeFields.Remove(name)) { problems.Add($"C# field {f.Name} has no C++ field '{name}'"); continue; }
            long offset = Marshal.OffsetOf(managed, f.Name).ToInt64();
            long expected = info[$"offsetof:{native}.{name}"];
            if (offset != expected) problems.Add($"{f.Name}: offset C# {offset}, C++ {expected}");
        }
        problems.AddRange(nativeFields.Select(n => $"C++ field {native}.{n} has no C# field"));
        Assert.True(problems.Count == 0, $"{managed.Name} vs {native}:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void ArgKindsMatchTheShim()
    {
        var native = NativeInfo().Where(kv => kv.Key.StartsWith("enum:ArgKind.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["enum:ArgKind.".Length..], kv => kv.Value);
        var managed = Enum.GetValues<ArgKind>().ToDictionary(k => k.ToString(), k => (long)k);
        Assert.True(native.Count > 10, "the shim lists no argument kinds");
        Assert.Equal(native.OrderBy(kv => kv.Value), managed.OrderBy(kv => kv.Value));
    }

    [Fact]
    public void ScalarKindsMatchTheShim()
    {
        var info = NativeInfo();
        Assert.Equal(info["enum:ScalarKind.Double"], ((Scalar)1.5).Kind);
        Assert.Equal(info["enum:ScalarKind.Int64"], ((Scalar)3L).Kind);
        Assert.Equal(info["enum:ScalarKind.Bool"], ((Scalar)true).Kind);
    }

    /// <summary>C# ScalarType members by c10's names for them (c10::toString).</summary>
    static readonly Dictionary<ScalarType, string> C10Names = new()
    {
        [ScalarType.Byte] = "Byte", [ScalarType.Int8] = "Char", [ScalarType.Int16] = "Short", [ScalarType.Int32] = "Int",
        [ScalarType.Int64] = "Long", [ScalarType.Float16] = "Half", [ScalarType.Float32] = "Float", [ScalarType.Float64] = "Double",
        [ScalarType.ComplexFloat32] = "ComplexFloat", [ScalarType.ComplexFloat64] = "ComplexDouble", [ScalarType.Bool] = "Bool",
        [ScalarType.BFloat16] = "BFloat16",
    };

    [Fact]
    public void ScalarTypesAreNumberedAsC10()
    {
        var info = NativeInfo();
        var problems = new List<string>();
        foreach (var t in Enum.GetValues<ScalarType>())
        {
            if (!C10Names.TryGetValue(t, out var c10)) { problems.Add($"{t}: no c10 name known to this test"); continue; }
            if (!info.TryGetValue("enum:c10::ScalarType." + c10, out var v)) problems.Add($"{t}: c10 has no ScalarType {c10}");
            else if (v != (long)t) problems.Add($"{t} = {(long)t}, c10::ScalarType::{c10} = {v}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void DeviceTypesAreNumberedAsC10()
    {
        var info = NativeInfo();
        foreach (var d in Enum.GetValues<DeviceType>())
            Assert.Equal(info["enum:c10::DeviceType." + d], (long)d);
    }

    /// <summary>Every [DllImport] of NativeMethods names a function the loaded shim exports (a stale shim fails here
    /// with the full list, not at the first call of a missing one).</summary>
    [Fact]
    public void EveryImportedFunctionIsExported()
    {
        _ = torch.version; // loads the shim through the project's resolver
        var handle = NativeLibrary.Load(NativeLoader.LibName, typeof(Tensor).Assembly, null);
        var imports = typeof(NativeMethods).GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(m => (m, a: m.GetCustomAttribute<DllImportAttribute>())).Where(x => x.a != null)
            .Select(x => x.a!.EntryPoint ?? x.m.Name).Distinct().ToList();
        Assert.True(imports.Count > 100, $"only {imports.Count} imports found");
        var missing = imports.Where(name => !NativeLibrary.TryGetExport(handle, name, out _)).ToList();
        Assert.True(missing.Count == 0, "not exported by the shim: " + string.Join(", ", missing));
    }
}
