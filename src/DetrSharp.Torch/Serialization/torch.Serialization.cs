using DetrSharp.Torch.Serialization;

namespace DetrSharp.Torch;

public static partial class torch
{
    /// <summary>
    /// Loads a file written by PyTorch's <c>torch.save</c> (zip format, or the legacy format before 1.6) or by
    /// <see cref="save"/>: state dicts, training checkpoints, single tensors. No Python is involved.
    /// </summary>
    /// <remarks>
    /// Tensors come back as <see cref="Tensor"/>s on the CPU (or <paramref name="map_location"/>), views that shared
    /// a storage in Python sharing one here; dicts as <see cref="PickleDict"/> (ordered, Python key equality),
    /// lists as <c>List&lt;object?&gt;</c>, tuples as <c>object?[]</c>, ints as long (<see cref="System.Numerics.BigInteger"/>
    /// past 64 bits), floats as double, and objects of unknown classes (an <c>argparse.Namespace</c>) as
    /// <see cref="PickleObject"/> stand-ins. The caller owns the tensors (see <see cref="CheckpointTree.DisposeTensors"/>).
    /// A missing file raises <see cref="FileNotFoundException"/>; a truncated or corrupt one (bad CRC, broken
    /// archive, unsupported opcode, a storage shorter than its tensor) <see cref="CheckpointFormatException"/>
    /// naming the file and the problem.
    /// </remarks>
    public static object? load(string path, Device? map_location = null)
    {
        using var file = CheckpointFile.Open(path);
        return TensorMaterializer.Materialize(file, map_location);
    }

    /// <summary>Loads a checkpoint held in memory (see <see cref="load(string, Device?)"/>); <paramref name="name"/> is used in errors.</summary>
    public static object? load(byte[] bytes, string name = "<bytes>", Device? map_location = null)
    {
        using var file = CheckpointFile.Open(bytes, name);
        return TensorMaterializer.Materialize(file, map_location);
    }

    /// <summary>
    /// Saves <paramref name="obj"/> in PyTorch's zip format, so that Python's <c>torch.load</c> reads it:
    /// a tensor, a state dict (<c>module.state_dict()</c>), or a checkpoint such as
    /// <c>{"model": state_dict, "optimizer": ..., "epoch": 12, "args": {...}}</c> built from dictionaries,
    /// lists, tuples (<c>object?[]</c>), strings, numbers, bools and null. Written to a temporary file and
    /// renamed over <paramref name="path"/>.
    /// </summary>
    public static void save(object? obj, string path) => CheckpointWriter.Save(obj, path);
}
