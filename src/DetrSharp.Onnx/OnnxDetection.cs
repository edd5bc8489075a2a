namespace DetrSharp.Onnx;

/// <summary>One detection in the image's pixels: corners, score, label and its class name.</summary>
public readonly record struct OnnxDetection(float X1, float Y1, float X2, float Y2, float Score, int Label, string ClassName);
