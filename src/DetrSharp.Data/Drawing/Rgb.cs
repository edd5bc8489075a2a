namespace DetrSharp.Data.Drawing;

/// <summary>An 8-bit RGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>(0, 0, 0).</summary>
    public static Rgb Black => new(0, 0, 0);
    /// <summary>(255, 255, 255).</summary>
    public static Rgb White => new(255, 255, 255);

    /// <summary>Rec. 601 luma, 0-255.</summary>
    public int Luma => (299 * R + 587 * G + 114 * B) / 1000;

    /// <summary>Black or white, whichever reads better on this colour.</summary>
    public Rgb Contrasting => Luma >= 128 ? Black : White;

    /// <summary>A distinct, saturated colour per class index (a fixed 20-colour cycle), for drawing boxes.</summary>
    public static Rgb ForClass(int index) => ClassColors[((index % ClassColors.Length) + ClassColors.Length) % ClassColors.Length];

    static readonly Rgb[] ClassColors =
    [
        new(230, 25, 75), new(60, 180, 75), new(255, 225, 25), new(0, 130, 200), new(245, 130, 48),
        new(145, 30, 180), new(70, 240, 240), new(240, 50, 230), new(210, 245, 60), new(250, 190, 212),
        new(0, 128, 128), new(220, 190, 255), new(170, 110, 40), new(255, 250, 200), new(128, 0, 0),
        new(170, 255, 195), new(128, 128, 0), new(255, 215, 180), new(0, 0, 128), new(128, 128, 128),
    ];
}
