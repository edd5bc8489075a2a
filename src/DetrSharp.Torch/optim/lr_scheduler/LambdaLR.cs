namespace DetrSharp.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>
        /// Sets each group's learning rate to its base lr times a function of the step index, as
        /// torch.optim.lr_scheduler.LambdaLR: lr = base_lr * lr_lambda(last_epoch). The functions are not part of
        /// the state dict (PyTorch saves None for plain functions); give the same ones when resuming.
        /// </summary>
        public sealed class LambdaLR : LRScheduler
        {
            readonly Func<int, double>[] _lambdas;

            /// <summary>One function for every group.</summary>
            public LambdaLR(Optimizer optimizer, Func<int, double> lr_lambda, int last_epoch = -1) : base(optimizer)
            {
                ArgumentNullException.ThrowIfNull(lr_lambda);
                _lambdas = Enumerable.Repeat(lr_lambda, optimizer.param_groups.Count).ToArray();
                Initialize(last_epoch);
            }

            /// <summary>One function per group, in order.</summary>
            public LambdaLR(Optimizer optimizer, IReadOnlyList<Func<int, double>> lr_lambdas, int last_epoch = -1) : base(optimizer)
            {
                ArgumentNullException.ThrowIfNull(lr_lambdas);
                if (lr_lambdas.Count != optimizer.param_groups.Count)
                    throw new ArgumentException($"Expected {optimizer.param_groups.Count} lr_lambdas, but got {lr_lambdas.Count}");
                if (lr_lambdas.Any(f => f is null)) throw new ArgumentException("lr_lambdas contains a null function");
                _lambdas = lr_lambdas.ToArray();
                Initialize(last_epoch);
            }

            protected override IReadOnlyList<double> get_lr()
                => base_lrs.Select((b, i) => b * _lambdas[i](last_epoch)).ToArray();

            private protected override void WriteSettings(Dictionary<string, object?> d) { }

            public override Dictionary<string, object?> state_dict()
            {
                var d = base.state_dict();
                d["lr_lambdas"] = Enumerable.Repeat<object?>(null, _lambdas.Length).ToList();
                return d;
            }

            private protected override Action ReadSettings(IReadOnlyDictionary<string, object?> d) => () => { };
        }
    }
}
