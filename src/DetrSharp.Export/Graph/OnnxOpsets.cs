namespace DetrSharp.Export.Graph;

/// <summary>The ai.onnx opsets the exporter writes and the IR version each needs.</summary>
public static class OnnxOpsets
{
    /// <summary>Oldest supported: Softmax over one axis, Split sizes and Squeeze/Unsqueeze axes as inputs (opset 13).</summary>
    public const int Min = 13;
    /// <summary>Newest supported: the Reduce* ops take axes as an input (opset 18).</summary>
    public const int Max = 18;
    /// <summary>The default (LayerNormalization is in from 17).</summary>
    public const int Default = 17;
    /// <summary>Every opset the tests load through ONNX Runtime.</summary>
    public static IReadOnlyList<int> Supported { get; } = [13, 14, 15, 16, 17, 18];

    /// <summary>IR version of the ONNX release that introduced the opset (opset 13: IR 7, 14-16: IR 8, 17-18: IR 8).</summary>
    public static long IrVersion(int opset) => opset <= 13 ? 7 : 8;
}
