namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>Group normalisation, as torch.nn.GroupNorm.</summary>
        public static Modules.GroupNorm GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true,
            Device? device = null, ScalarType? dtype = null)
            => new(num_groups, num_channels, eps, affine, device, dtype);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// Group normalisation of [N, C, *] input, as torch.nn.GroupNorm: the channels split into num_groups groups, each
    /// normalised over its channels and positions; parameters "weight" (ones) and "bias" (zeros), [C], when affine.
    /// </summary>
    public sealed class GroupNorm : nn.Module<Tensor, Tensor>
    {
        public GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true, Device? device = null, ScalarType? dtype = null)
            : base(nameof(GroupNorm))
        {
            if (num_groups <= 0 || num_channels % num_groups != 0)
                throw new ArgumentException($"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups ({num_groups})", nameof(num_groups));
            this.num_groups = num_groups;
            this.num_channels = num_channels;
            this.eps = eps;
            this.affine = affine;
            var c = new[] { num_channels };
            register_parameter("weight", affine ? torch.ones(c, dtype, device) : null);
            register_parameter("bias", affine ? torch.zeros(c, dtype, device) : null);
        }

        public long num_groups { get; }
        public long num_channels { get; }
        public double eps { get; }
        public bool affine { get; }

        /// <summary>[C] or null; owned by the module.</summary>
        public Tensor? weight => get_parameter("weight");
        /// <summary>[C] or null; owned by the module.</summary>
        public Tensor? bias => get_parameter("bias");

        /// <param name="input">[N, C, *]</param>
        /// <returns>the input's shape</returns>
        public override Tensor forward(Tensor input)
        {
            if (input.dim() < 2 || input.size(1) != num_channels)
                throw new ArgumentException($"GroupNorm: expected input [N, {num_channels}, *], got shape {Shapes.Format(input)}", nameof(input));
            return nn.functional.group_norm(input, num_groups, weight, bias, eps);
        }
    }
}
