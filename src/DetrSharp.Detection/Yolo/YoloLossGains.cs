namespace DetrSharp.Detection.Yolo;

/// <summary>The loss gains of ultralytics' default.yaml (hyp.box, hyp.cls, hyp.dfl).</summary>
public sealed record YoloLossGains(double Box = 7.5, double Cls = 0.5, double Dfl = 1.5)
{
    public static YoloLossGains Default { get; } = new();
}
