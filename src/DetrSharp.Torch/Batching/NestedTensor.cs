

namespace DetrSharp.Torch;

/// <summary>
/// A padded batch and its padding mask, as DETR's <c>util.misc.NestedTensor</c>: images (or feature maps) of
/// different sizes padded to a common one, with <see cref="Mask"/> true on the padding. Owns both tensors.
/// </summary>
public sealed class NestedTensor : IDisposable
{
    /// <summary>Wraps a padded batch and its mask (the mask may be null where the reference allows it).</summary>
    /// <param name="tensors">[batch, channels, height, width]</param>
    /// <param name="mask">[batch, height, width] bool, true on padded positions</param>
    public NestedTensor(Tensor tensors, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.dim() != 4)
            throw new ArgumentException($"NestedTensor: tensors must be [batch, channels, height, width], got shape {Shape(tensors)}", nameof(tensors));
        if (mask is not null)
        {
            var ts = tensors.shape;
            var ms = mask.shape;
            if (ms.Length != 3 || ms[0] != ts[0] || ms[1] != ts[2] || ms[2] != ts[3])
                throw new ArgumentException(
                    $"NestedTensor: mask must be [batch, height, width] = [{ts[0]}, {ts[2]}, {ts[3]}] for tensors {Shape(ts)}, got {Shape(ms)}",
                    nameof(mask));
            if (mask.dtype != ScalarType.Bool)
                throw new ArgumentException($"NestedTensor: mask must be bool, got {mask.dtype.Name()}", nameof(mask));
        }
        Tensors = tensors;
        Mask = mask;
    }

    /// <summary>The padded batch. // [batch, channels, height, width]</summary>
    public Tensor Tensors { get; }

    /// <summary>True on padding. // [batch, height, width] bool</summary>
    public Tensor? Mask { get; }

    /// <summary>The two tensors, as the reference's <c>decompose()</c>.</summary>
    public (Tensor tensors, Tensor? mask) Decompose() => (Tensors, Mask);

    /// <summary>Moves both tensors to the enclosing dispose scope (see <see cref="DisposeScope.MoveToOuter(Tensor)"/>).</summary>
    public NestedTensor MoveToOuterDisposeScope()
    {
        Tensors.MoveToOuterDisposeScope();
        Mask?.MoveToOuterDisposeScope();
        return this;
    }

    /// <summary>
    /// Pads images of different sizes to the largest height and width with zeros, as the reference's
    /// <c>nested_tensor_from_tensor_list</c>; the mask is true outside each image's own [h, w].
    /// </summary>
    /// <param name="images">each [channels, h_i, w_i], same channels, dtype and device</param>
    public static NestedTensor FromTensorList(IReadOnlyList<Tensor> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("NestedTensor.FromTensorList: no images", nameof(images));
        var first = images[0];
        if (first.dim() != 3)
            throw new ArgumentException($"NestedTensor.FromTensorList: image 0 must be [channels, height, width], got shape {Shape(first)}", nameof(images));
        long c = first.size(0), maxH = 0, maxW = 0;
        for (int i = 0; i < images.Count; i++)
        {
            var s = images[i].shape;
            if (s.Length != 3 || s[0] != c)
                throw new ArgumentException($"NestedTensor.FromTensorList: image {i} has shape {Shape(s)}, expected [{c}, height, width]", nameof(images));
            maxH = Math.Max(maxH, s[1]);
            maxW = Math.Max(maxW, s[2]);
        }
        var batch = torch.zeros(new[] { images.Count, c, maxH, maxW }, first.dtype, first.device); // [B, C, H, W]
        var mask = torch.ones(new[] { images.Count, maxH, maxW }, ScalarType.Bool, first.device);   // [B, H, W]
        using (torch.no_grad())
        {
            for (int i = 0; i < images.Count; i++)
            {
                long h = images[i].size(1), w = images[i].size(2);
                using var dst = batch[i, TensorIndex.Colon, TensorIndex.Slice(0, h), TensorIndex.Slice(0, w)];
                dst.copy_(images[i]);
                using var valid = mask[i, TensorIndex.Slice(0, h), TensorIndex.Slice(0, w)];
                valid.fill_(false);
            }
        }
        return new NestedTensor(batch, mask);
    }

    /// <summary>
    /// The mask resized to a feature map's size with nearest interpolation, as DETR's backbone does:
    /// <c>F.interpolate(m[None].float(), size=x.shape[-2:]).to(torch.bool)[0]</c>.
    /// </summary>
    /// <param name="mask">[batch, height, width] bool</param>
    /// <returns>[batch, height', width'] bool</returns>
    public static Tensor ResizeMask(Tensor mask, long height, long width)
    {
        using var batched = mask.unsqueeze(0);                   // [1, B, H, W]
        using var asFloat = batched.to(ScalarType.Float32);
        using var resized = nn.functional.interpolate(asFloat, new[] { height, width }); // [1, B, h, w]
        using var asBool = resized.to(ScalarType.Bool);
        return asBool.select(0, 0);                              // [B, h, w]
    }

    /// <summary>The same padded batch on <paramref name="device"/> (the tensors themselves when already there).</summary>
    public NestedTensor To(Device device)
        => Tensors.device == device ? new NestedTensor(Tensors.alias(), Mask?.alias()) : new NestedTensor(Tensors.to(device), Mask?.to(device));

    static string Shape(Tensor t) => Shape(t.shape);
    static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        Tensors.Dispose();
        Mask?.Dispose();
    }
}
