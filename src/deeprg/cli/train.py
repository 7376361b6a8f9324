"""``deeprg train``: DNA, backprop or Langevin training of an MLP; ``deeprg train-sweep``: the experiments."""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import address_option, done, out_option, parse_number, workers_option

SWEEPS = ("depth", "beta-v", "symmetry", "limit", "overlap", "edge-of-chaos")


def _parse_widths(text: str) -> tuple[int, ...]:
    parts = [p for p in text.replace(" ", "").split(",") if p]
    try:
        widths = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"widths: {text!r} is not a comma-separated list of integers like 64,64,64,10") from None
    if len(widths) < 2 or min(widths) < 1:
        raise ValueError(f"widths: need at least two positive integers (input,...,output), got {text!r}")
    return widths


def _load_npz(path: Path):
    import numpy as np

    from deeprg.continuous.data import Dataset

    if not path.is_file():
        raise ValueError(f"data: no such file {str(path)!r}")
    with np.load(path) as arrays:
        missing = {"x_train", "y_train", "x_test", "y_test"} - set(arrays.files)
        if missing:
            raise ValueError(f"data: {path} lacks arrays {', '.join(sorted(missing))}")
        return Dataset(path.stem, arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"])


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_command(
        method: str = typer.Option("dna", help="dna (alternating inference/learning), backprop, or langevin."),
        dataset: str = typer.Option("digits", help="digits (sklearn, 64 -> 10) or teacher (synthetic)."),
        widths: str = typer.Option("64,64,64,10", help="Input, hidden..., output widths."),
        activation: str = typer.Option("sigmoid", help="sigmoid, tanh, relu, linear, linearized_sigmoid."),
        output_activation: str = typer.Option("", help="Activation of the last layer (default: --activation)."),
        p: str = typer.Option("2", help="Cost exponent p of the L^p mismatch |h - s|^p (>= 1); not an RG factor."),
        beta: str = typer.Option("1", help="Inverse temperature beta (> 0)."),
        beta_v: str = typer.Option("1", "--beta-v", help="Constraint inverse temperature; lambda = beta_v/beta."),
        c_w: str = typer.Option("0", "--c-w", help="Weight regularizer c_W (Appendix B)."),
        c_b: str = typer.Option("0", "--c-b", help="Bias regularizer c_b (Appendix B)."),
        epochs: int = typer.Option(10, help="Epochs."),
        batch_size: int = typer.Option(32, help="Rows per batch (langevin: steps per epoch = rows/batch)."),
        seed: int = typer.Option(0, help="Seed of the data split, initial weights, batches and noise."),
        learning_rate: str = typer.Option("0.003", help="Adam learning rate (dna, backprop)."),
        relaxation: str = typer.Option("sweep", help="Relaxation of the dynamic neurons (dna): sweep (top-down, "
                                                     "Cauchy step) or jacobi."),
        inference_steps: int = typer.Option(-1, help="Relaxation sweeps or Jacobi steps per batch (dna; -1: 1 sweep, "
                                                     "or as many Jacobi steps as hidden layers)."),
        inference_rate: str = typer.Option("", help="Relaxation step gamma (dna; default 1 for sweep, in units of "
                                                    "the Cauchy step; 0.5 for jacobi, in units of 1/(2 lambda))."),
        langevin_step: str = typer.Option("0.05", help="ULA step relative to the curvature bound (langevin)."),
        chains: int = typer.Option(1, help="Parallel Langevin chains (langevin)."),
        sigma_w2: str = typer.Option("1", "--sigma-w2", help="Initial weight scale: W_ij ~ N(0, sigma_w2 / fan_in); "
                                     "about 1/slope(0)^2 is critical: 1 for tanh, 16 for sigmoid."),
        sigma_b2: str = typer.Option("0", "--sigma-b2", help="Initial bias variance: b_i ~ N(0, sigma_b2)."),
        data: str = typer.Option("", help="Optional .npz with x_train, y_train, x_test, y_test (replaces --dataset)."),
        out: Path = out_option("deeprg-out/train"),
    ):
        """Train an MLP on digits or a teacher task; writes result.json and learning_curves.png."""
        from deeprg.continuous.data import load_dataset
        from deeprg.continuous.model import MLPSpec, validate_data
        from deeprg.continuous.training import TrainConfig, train
        from deeprg.progress import progress_bar
        from deeprg.results import write_json

        spec = MLPSpec(_parse_widths(widths), activation=activation, output_activation=output_activation or None,
                       p=parse_number(p, "p"), beta=parse_number(beta, "beta"),
                       beta_v=parse_number(beta_v, "beta_v"), c_w=parse_number(c_w, "c_w"),
                       c_b=parse_number(c_b, "c_b"))
        config = TrainConfig(method=method, epochs=epochs, batch_size=batch_size, seed=seed,
                             learning_rate=parse_number(learning_rate, "learning_rate"),
                             inference_steps=None if inference_steps == -1 else inference_steps,
                             inference_rate=parse_number(inference_rate, "inference_rate") if inference_rate else None,
                             relaxation=relaxation,
                             langevin_step=parse_number(langevin_step, "langevin_step"), chains=chains,
                             sigma_w2=parse_number(sigma_w2, "sigma_w2"), sigma_b2=parse_number(sigma_b2, "sigma_b2"))
        dataset_obj = _load_npz(Path(data)) if data else load_dataset(dataset, spec.widths, seed)
        validate_data(spec, dataset_obj.x_train, dataset_obj.y_train, "data")
        validate_data(spec, dataset_obj.x_test, dataset_obj.y_test, "data")
        with progress_bar(config.epochs, f"train ({method})") as advance:
            result = train(spec, dataset_obj, config, advance)
        write_json(out / "result.json", result)
        from deeprg.continuous.plots import learning_curves
        from deeprg.results import save_figure

        save_figure(learning_curves(result), out / "learning_curves.png")
        typer.echo(f"test accuracy {100 * result.test_accuracy[-1]:.2f}% after {epochs} epochs; "
                   f"median time per epoch {sorted(result.time_per_epoch)[len(result.time_per_epoch) // 2]:.4f} s; "
                   f"final energy per row {result.final_energy:.4g}")
        done(out, ["result.json", "learning_curves.png"])

    @app.command("train-sweep")
    def sweep_command(
        kind: str = typer.Option("depth", help="depth, beta-v, symmetry, limit (beta_v -> inf), overlap (App. B), "
                                                "edge-of-chaos (accuracy over initial sigma_w2 and depth)."),
        dataset: str = typer.Option("digits", help="digits or teacher (depth, beta-v)."),
        epochs: int = typer.Option(10, help="Epochs per training run."),
        seed: int = typer.Option(0, help="Seed."),
        depth: int = typer.Option(20, help="Weight layers of the symmetry-diagnostic net (>= 3)."),
        activation: str = typer.Option(None, help="Hidden activation (default: sigmoid for depth and beta-v, "
                                                  "tanh for symmetry)."),
        sigma_w2: str = typer.Option("0.25,0.5,1,1.75,3,6", "--sigma-w2",
                                     help="Initial weight variances W ~ N(0, sigma_w2/fan_in) (edge-of-chaos)."),
        sigma_b2: str = typer.Option("0.05", "--sigma-b2", help="Initial bias variance (edge-of-chaos)."),
        depths: str = typer.Option("2,4,8,16", help="Weight layers of the trained nets (edge-of-chaos)."),
        width: int = typer.Option(64, help="Hidden width (edge-of-chaos)."),
        methods: str = typer.Option("dna,backprop", help="Training methods (edge-of-chaos)."),
        address: str = address_option(),
        workers: int = workers_option(),
        out: Path = out_option("deeprg-out/train-sweep"),
    ):
        """Experiments of the continuous DNA: depth/beta_v sweeps, translational symmetry, beta_v limit, q_EA vs
        beta, and the edge-of-chaos trainability map (accuracy over initial sigma_w2 and depth, with xi_c)."""
        if kind not in SWEEPS:
            raise ValueError(f"kind: {kind!r} is not one of {', '.join(SWEEPS)}")
        if kind == "edge-of-chaos":
            from ._edge_of_chaos import run_edge_of_chaos

            return run_edge_of_chaos(sigma_w2, sigma_b2, depths, width, methods, epochs, seed, activation, dataset,
                                     out, address=address, workers=workers)
        if dataset not in ("digits", "teacher"):
            raise ValueError(f"dataset: {dataset!r} is not one of digits, teacher")
        if epochs < 1:
            raise ValueError(f"epochs: must be >= 1, got {epochs}")
        if kind not in ("depth", "beta-v") and (address is not None or workers is not None):
            raise ValueError(f"--address/--workers: only --kind depth, beta-v and edge-of-chaos are sweeps, "
                             f"not {kind!r}")
        if kind == "symmetry" and depth < 3:
            raise ValueError(f"depth: need at least 3 weight layers, got {depth}")
        import jax

        from deeprg.continuous.model import ACTIVATIONS

        if activation is not None and activation not in ACTIVATIONS:
            raise ValueError(f"activation: {activation!r} is not one of {', '.join(ACTIVATIONS)}")
        chosen = {} if activation is None else {"activation": activation}
        from deeprg.continuous import experiments, plots, spinglass
        from deeprg.continuous.gaussian import quadratic_form
        from deeprg.progress import progress_bar
        from deeprg.results import save_figure, write_json

        if kind == "depth":
            depths = list(range(2, 11))
            with progress_bar(len(depths), "depth sweep") as advance:
                result = experiments.depth_sweep(dataset, depths, epochs=epochs, seed=seed, advance=advance,
                                                  out_dir=out, address=address, workers=workers, **chosen)
        elif kind == "beta-v":
            with progress_bar(7, "beta_v sweep (backprop + 6 DNA runs)") as advance:
                result = experiments.beta_v_sweep(dataset, epochs=epochs, seed=seed, advance=advance,
                                                  out_dir=out, address=address, workers=workers, **chosen)
        elif kind == "symmetry":
            result = experiments.symmetry_diagnostic(depth=depth, epochs=epochs, seed=seed, **chosen)
        elif kind == "limit":
            result = experiments.beta_v_limit(seed=seed)
        else:
            spec, params, x, y = spinglass.appendix_b_model(jax.random.PRNGKey(seed), beta_v=2.0)
            form = quadratic_form(params, x, y, spec)
            typer.echo(spinglass.format_couplings(form, spec, x.shape[0]))
            overlap = spinglass.overlap_vs_beta(jax.random.PRNGKey(seed + 1), spec, params, x, y,
                                                [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0])
            result = {"b2_comparison": spinglass.compare_with_b2(params, x, y, spec, form),
                      "J": form.J, "K": form.K, "overlap": overlap.to_dict()}
        write_json(out / "result.json", result)
        figure = plots.train_sweep(kind, result)
        figure.axes[0].set_title(_sweep_title(kind, dataset, epochs, activation), fontsize=9)
        save_figure(figure, out / f"{kind}.png")
        for line in _sweep_summary(kind, result):
            typer.echo(line)
        done(out, ["result.json", f"{kind}.png"])


def _sweep_title(kind: str, dataset: str, epochs: int, activation: str | None) -> str:
    """What a train-sweep figure shows: the experiment, its data, epochs and activation."""
    default = "tanh" if kind == "symmetry" else "sigmoid"
    if kind == "symmetry":
        return f"symmetry: teacher data, {epochs} epochs, {activation or default} (DNA)"
    if kind == "limit":
        return "beta_v -> inf limit: DNA optimum against backprop (teacher data)"
    if kind == "overlap":
        return "Appendix B: Edwards-Anderson overlap q_EA against beta"
    return f"{kind} sweep: {dataset}, {epochs} epochs, {activation or default}"


def _sweep_summary(kind: str, result: dict) -> list[str]:
    """A few lines of the numbers behind a train-sweep figure, for the terminal."""
    if kind == "depth":
        lines = [f"{'layers':>6}  {'DNA acc':>8}  {'backprop acc':>12}  {'DNA s/epoch':>11}  {'bp s/epoch':>10}"]
        lines += [f"{r['depth']:>6}  {r['dna']['test_accuracy']:>8.4f}  {r['backprop']['test_accuracy']:>12.4f}  "
                  f"{r['dna']['time_per_epoch']:>11.4f}  {r['backprop']['time_per_epoch']:>10.4f}"
                  for r in result["rows"]]
        return lines
    if kind == "beta-v":
        lines = [f"{'beta_v':>8}  DNA test accuracy (backprop: {result['backprop_test_accuracy']:.4f})"]
        return lines + [f"{r['beta_v']:>8.4g}  {r['test_accuracy']:.4f}" for r in result["rows"]]
    if kind == "symmetry":
        return [f"test accuracy {result['test_accuracy']:.4f}; bulk layers {result['bulk_layers'][0]}.."
                f"{result['bulk_layers'][-1]}: relative variation of std(h) {result['bulk_h_std_variation']:.4g}"]
    if kind == "limit":
        slope = result["log_log_slope"]
        lines = [f"{'lambda':>8}  |theta_DNA - theta_bp|"]
        lines += [f"{lam:>8.4g}  {d:.4g}" for lam, d in zip(result["lambda"], result["distance"])]
        return lines + [f"log-log slope of the distance: {'n/a' if slope is None else f'{slope:.3f}'}"]
    overlap = result["overlap"]
    lines = [f"{'beta':>6}  {'q_EA':>8}  {'+-':>8}  {'|mu|^2/N':>8}"]
    return lines + [f"{b:>6.3g}  {q:>8.4f}  {e:>8.4f}  {x:>8.4f}" for b, q, e, x in
                    zip(overlap["betas"], overlap["q_ea"], overlap["q_ea_stderr"], overlap["q_ea_exact"])]
