namespace DetrSharp.Torch;

public static partial class optim
{
    /// <summary>
    /// A group of parameters with its own options, as an entry of PyTorch's <c>optimizer.param_groups</c>.
    /// Options left null take the optimizer's defaults when the group is added to it; options the
    /// optimizer does not have (momentum for Adam, betas for SGD) are rejected there. Schedulers change
    /// <see cref="lr"/> between steps.
    /// </summary>
    public sealed class ParamGroup
    {
        /// <summary>Option names in the order PyTorch's optimizers list them.</summary>
        internal static readonly string[] OptionNames =
            ["lr", "momentum", "dampening", "betas", "eps", "weight_decay", "nesterov", "amsgrad", "maximize"];

        internal double? Lr, Momentum, Dampening, Eps, WeightDecay;
        internal (double beta1, double beta2)? Betas;
        internal bool? Nesterov, Amsgrad, Maximize;

        /// <summary>The options given to the constructor (listed first in the optimizer's state_dict, as in PyTorch).</summary>
        internal readonly HashSet<string> Specified = new();

        /// <param name="params">The tensors this group optimizes (leaf tensors, each in one group only).</param>
        /// <param name="lr">Learning rate.</param>
        /// <param name="weight_decay">Weight decay: L2 added to the gradient (SGD, Adam) or decoupled (AdamW).</param>
        /// <param name="momentum">SGD momentum factor.</param>
        /// <param name="dampening">SGD dampening for momentum.</param>
        /// <param name="nesterov">SGD Nesterov momentum.</param>
        /// <param name="betas">Adam/AdamW running-average coefficients.</param>
        /// <param name="eps">Adam/AdamW denominator term.</param>
        /// <param name="amsgrad">Adam/AdamW AMSGrad variant.</param>
        /// <param name="maximize">Maximize the objective instead of minimizing it.</param>
        public ParamGroup(IEnumerable<Tensor> @params, double? lr = null, double? weight_decay = null, double? momentum = null,
            double? dampening = null, bool? nesterov = null, (double beta1, double beta2)? betas = null, double? eps = null,
            bool? amsgrad = null, bool? maximize = null)
        {
            ArgumentNullException.ThrowIfNull(@params);
            var list = @params.ToArray();
            for (int i = 0; i < list.Length; i++)
                if (list[i] is null) throw new ArgumentException($"parameter {i} of the group is null", nameof(@params));
            Params = list;
            Lr = lr; WeightDecay = weight_decay; Momentum = momentum; Dampening = dampening; Nesterov = nesterov;
            Betas = betas; Eps = eps; Amsgrad = amsgrad; Maximize = maximize;
            foreach (var name in OptionNames)
                if (IsSet(name)) Specified.Add(name);
        }

        internal Tensor[] Params { get; }

        /// <summary>The tensors this group optimizes, in order.</summary>
        public IReadOnlyList<Tensor> @params => Params;

        /// <summary>Learning rate (schedulers set it).</summary>
        public double lr { get => Get(Lr, "lr"); set => Lr = value; }

        /// <summary>The learning rate when the first scheduler was attached (PyTorch's 'initial_lr'), or null.</summary>
        public double? initial_lr { get; set; }

        public double weight_decay { get => Get(WeightDecay, "weight_decay"); set => WeightDecay = value; }
        public double momentum { get => Get(Momentum, "momentum"); set => Momentum = value; }
        public double dampening { get => Get(Dampening, "dampening"); set => Dampening = value; }
        public bool nesterov { get => Get(Nesterov, "nesterov"); set => Nesterov = value; }
        public (double beta1, double beta2) betas { get => Get(Betas, "betas"); set => Betas = value; }
        public double eps { get => Get(Eps, "eps"); set => Eps = value; }
        public bool amsgrad { get => Get(Amsgrad, "amsgrad"); set => Amsgrad = value; }
        public bool maximize { get => Get(Maximize, "maximize"); set => Maximize = value; }

        static T Get<T>(T? value, string name) where T : struct => value ?? throw new InvalidOperationException(
            $"option '{name}' is not set in this parameter group: its optimizer has no such option, or the group was not added to an optimizer");

        internal bool IsSet(string name) => name switch
        {
            "lr" => Lr.HasValue,
            "momentum" => Momentum.HasValue,
            "dampening" => Dampening.HasValue,
            "betas" => Betas.HasValue,
            "eps" => Eps.HasValue,
            "weight_decay" => WeightDecay.HasValue,
            "nesterov" => Nesterov.HasValue,
            "amsgrad" => Amsgrad.HasValue,
            "maximize" => Maximize.HasValue,
            _ => false,
        };

        /// <summary>The option's value as PyTorch pickles it (betas as a tuple).</summary>
        internal object? GetOption(string name) => name switch
        {
            "lr" => lr,
            "momentum" => momentum,
            "dampening" => dampening,
            "betas" => new object?[] { betas.beta1, betas.beta2 },
            "eps" => eps,
            "weight_decay" => weight_decay,
            "nesterov" => nesterov,
            "amsgrad" => amsgrad,
            "maximize" => maximize,
            _ => throw new ArgumentException($"unknown optimizer option '{name}'"),
        };

        /// <summary>A group with no parameters holding a copy of this group's options (to stage changes).</summary>
        internal ParamGroup CloneOptions()
        {
            var c = new ParamGroup([]);
            c.CopyOptionsFrom(this);
            return c;
        }

        /// <summary>Copies every option (set or not) from <paramref name="other"/>.</summary>
        internal void CopyOptionsFrom(ParamGroup other)
        {
            Lr = other.Lr; Momentum = other.Momentum; Dampening = other.Dampening; Eps = other.Eps; WeightDecay = other.WeightDecay;
            Betas = other.Betas; Nesterov = other.Nesterov; Amsgrad = other.Amsgrad; Maximize = other.Maximize;
        }

        /// <summary>Sets an option from a state dict value (numbers of any width, a 2-element list or tuple for betas).</summary>
        internal void SetOption(string name, object? value, string where)
        {
            switch (name)
            {
                case "lr": Lr = StateValue.ToDouble(value, where); break;
                case "momentum": Momentum = StateValue.ToDouble(value, where); break;
                case "dampening": Dampening = StateValue.ToDouble(value, where); break;
                case "eps": Eps = StateValue.ToDouble(value, where); break;
                case "weight_decay": WeightDecay = StateValue.ToDouble(value, where); break;
                case "nesterov": Nesterov = StateValue.ToBool(value, where); break;
                case "amsgrad": Amsgrad = StateValue.ToBool(value, where); break;
                case "maximize": Maximize = StateValue.ToBool(value, where); break;
                case "betas":
                    var b = StateValue.ToList(value, where);
                    if (b.Count != 2) throw new ArgumentException($"{where}: betas must hold 2 numbers, got {b.Count}");
                    Betas = (StateValue.ToDouble(b[0], where), StateValue.ToDouble(b[1], where));
                    break;
                default: throw new ArgumentException($"{where}: unknown optimizer option '{name}'");
            }
        }
    }
}
