using DetrSharp.Export.Proto;
using DetrSharp.Torch.IO;

namespace DetrSharp.Export;

/// <summary>Writes an ONNX model file (atomically, as every file a run writes).</summary>
public static class OnnxModelFile
{
    public static void Write(ModelProto model, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder != null) Directory.CreateDirectory(folder);
        AtomicFile.WriteAllBytes(path, model.ToByteArray());
    }
}
