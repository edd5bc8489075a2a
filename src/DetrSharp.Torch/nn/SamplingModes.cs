namespace DetrSharp.Torch;

/// <summary>Interpolation of nn.functional.interpolate and nn.Upsample (PyTorch's mode strings).</summary>
public enum InterpolationMode
{
    /// <summary>mode="nearest": the source pixel at floor(dst * scale).</summary>
    Nearest,
    /// <summary>mode="bilinear" (4-D input).</summary>
    Bilinear,
}

/// <summary>Interpolation of nn.functional.grid_sample (ATen's interpolation_mode values).</summary>
public enum GridSampleMode
{
    /// <summary>mode="bilinear".</summary>
    Bilinear = 0,
    /// <summary>mode="nearest".</summary>
    Nearest = 1,
    /// <summary>mode="bicubic".</summary>
    Bicubic = 2,
}

/// <summary>Values for grid locations outside the input, in nn.functional.grid_sample (ATen's padding_mode values).</summary>
public enum GridSamplePaddingMode
{
    /// <summary>padding_mode="zeros": zeros outside.</summary>
    Zeros = 0,
    /// <summary>padding_mode="border": the border value.</summary>
    Border = 1,
    /// <summary>padding_mode="reflection": reflected back into the input.</summary>
    Reflection = 2,
}

/// <summary>Padding of nn.functional.pad and of Conv2d's padding_mode.</summary>
public enum PaddingModes
{
    /// <summary>mode="constant" (Conv2d's padding_mode="zeros" with value 0).</summary>
    Constant,
    /// <summary>padding_mode="zeros" of Conv2d; for pad, the same as Constant with value 0.</summary>
    Zeros,
    /// <summary>mode="reflect": mirrored without repeating the edge.</summary>
    Reflect,
    /// <summary>mode="replicate": the edge value repeated.</summary>
    Replicate,
    /// <summary>mode="circular": wrapped around.</summary>
    Circular,
}
