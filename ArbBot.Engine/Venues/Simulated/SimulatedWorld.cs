using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Venues.Simulated;

/// <summary>
/// The fair values both simulated venues quote around: a bounded random walk per outcome in logit space, pulled back to
/// an anchor, with occasional news jumps that overshoot and partly revert. A multi-outcome event's values come from a
/// softmax, so they always sum to 1.
/// </summary>
/// <remarks>
/// The world advances by step index, not by clock: step n is the same whoever asks first and from whichever thread,
/// which keeps each venue's stream independent of how the two feeds are scheduled. Recent steps are cached in a ring so
/// a feed a little behind the other still reads the values it needs.
/// </remarks>
public sealed class SimulatedWorld
{
    /// <summary>How many past steps stay readable: at the default 100 ms step, about seven minutes.</summary>
    public const int HistoryCapacity = 4096;

    // Per-second dynamics, scaled by the step length so the world moves alike at any StepInterval.
    private const double LogitVolatility = 0.015;   // per √s
    private const double AnchorPull = 0.01;          // per s: a ~100 s memory keeps the walk bounded
    private const double JumpsPerSecond = 1.0 / 300; // per outcome group
    private const double OvershootShare = 0.4;       // of a jump, paid back over OvershootDecaySeconds
    private const double OvershootDecaySeconds = 15;
    private const double LogitBound = 4.6;           // about 0.01 / 0.99

    private readonly Lock _gate = new();
    private readonly SimRandom _random;
    private readonly double[] _logit;
    private readonly double[] _anchor;
    private readonly double[] _overshoot;
    private readonly double[] _history;
    private readonly int _outcomes;
    private readonly double _dt;
    private long _latestStep;

    /// <summary>Creates the world from bound options (the DI path).</summary>
    public SimulatedWorld(IOptions<SimulatorOptions> options, TimeProvider time) : this(options.Value, time)
    {
    }

    /// <summary>Creates the world; its step 0 is "now" on <paramref name="time"/>.</summary>
    public SimulatedWorld(SimulatorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        Seed = options.Seed;
        StepInterval = options.StepInterval;
        DislocationsPerSecond = options.DislocationsPerHour / 3600;
        Time = time;
        Epoch = time.GetUtcNow();
        Catalog = SimulatedCatalog.Create(Seed);
        _random = new SimRandom(SimRandom.Derive(Seed, "world"));
        _dt = StepInterval.TotalSeconds;
        _outcomes = Catalog.OutcomeCount;
        _logit = new double[_outcomes];
        _anchor = new double[_outcomes];
        _overshoot = new double[_outcomes];
        _history = new double[HistoryCapacity * _outcomes];
        foreach (var group in Catalog.Groups)
        {
            for (var i = group.FirstOutcome; i < group.FirstOutcome + group.Count; i++)
            {
                var p = Catalog.InitialProbability(i);
                // A lone question walks its own logit; a group's outcomes walk log-probabilities that a softmax normalizes.
                _logit[i] = _anchor[i] = group.IsMultiOutcome ? Math.Log(p) : Math.Log(p / (1 - p));
            }
        }
        Record(0);
    }

    public SimulatedCatalog Catalog { get; }

    public int Seed { get; }

    public TimeSpan StepInterval { get; }

    /// <summary>Chance per market per second of a cross-venue dislocation (<see cref="SimulatorOptions.DislocationsPerHour"/>).</summary>
    public double DislocationsPerSecond { get; }

    public TimeProvider Time { get; }

    /// <summary>When step 0 happened.</summary>
    public DateTimeOffset Epoch { get; }

    /// <summary>The oldest step still readable.</summary>
    public long OldestRetainedStep
    {
        get
        {
            lock (_gate) return Math.Max(0, _latestStep - HistoryCapacity + 1);
        }
    }

    /// <summary>The step that is current at <paramref name="now"/>.</summary>
    public long StepAt(DateTimeOffset now) => now <= Epoch ? 0 : (now - Epoch).Ticks / StepInterval.Ticks;

    /// <summary>The nominal time of a step.</summary>
    public DateTimeOffset TimeOfStep(long step) => Epoch + TimeSpan.FromTicks(StepInterval.Ticks * step);

    /// <summary>The fair value of one outcome at a step.</summary>
    public double FairValue(long step, int outcome)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outcome);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(outcome, _outcomes);
        lock (_gate)
        {
            return _history[Slot(step) + outcome];
        }
    }

    /// <summary>Copies every outcome's fair value at <paramref name="step"/> into <paramref name="destination"/>, computing forward as needed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step fell out of the history ring.</exception>
    public void CopyFairValues(long step, Span<double> destination)
    {
        lock (_gate)
        {
            _history.AsSpan(Slot(step), _outcomes).CopyTo(destination);
        }
    }

    /// <summary>Index of a step's values in the ring; advances the world up to it. Call under the gate.</summary>
    private int Slot(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        while (_latestStep < step) Advance();
        if (step <= _latestStep - HistoryCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Step {step} is older than the {HistoryCapacity} steps the world keeps.");
        }
        return (int)(step % HistoryCapacity) * _outcomes;
    }

    private void Advance()
    {
        var sigma = LogitVolatility * Math.Sqrt(_dt);
        var pull = Math.Min(1.0, AnchorPull * _dt);
        var decay = Math.Exp(-_dt / OvershootDecaySeconds);
        var jumpChance = JumpsPerSecond * _dt;
        foreach (var group in Catalog.Groups)
        {
            var first = group.FirstOutcome;
            var end = first + group.Count;
            for (var i = first; i < end; i++)
            {
                _logit[i] += pull * (_anchor[i] - _logit[i]) + sigma * _random.NextGaussian();
                _overshoot[i] *= decay;
            }
            if (_random.Chance(jumpChance))
            {
                // News: the level moves for good (the anchor follows) and overshoots by a share that fades.
                var target = first + _random.Next(0, group.Count);
                var jump = _random.Sign() * _random.NextDouble(0.3, 0.9);
                _anchor[target] = Math.Clamp(_anchor[target] + jump, -LogitBound + 1, LogitBound - 1);
                _logit[target] += jump;
                _overshoot[target] += OvershootShare * jump;
            }
            for (var i = first; i < end; i++) _logit[i] = Math.Clamp(_logit[i], -LogitBound - 2, LogitBound);
        }
        _latestStep++;
        Record(_latestStep);
    }

    private void Record(long step)
    {
        var row = _history.AsSpan((int)(step % HistoryCapacity) * _outcomes, _outcomes);
        foreach (var group in Catalog.Groups)
        {
            var first = group.FirstOutcome;
            if (!group.IsMultiOutcome)
            {
                var x = Math.Clamp(_logit[first] + _overshoot[first], -LogitBound, LogitBound);
                row[first] = 1.0 / (1.0 + Math.Exp(-x));
                continue;
            }
            double max = double.MinValue, sum = 0;
            for (var i = first; i < first + group.Count; i++) max = Math.Max(max, _logit[i] + _overshoot[i]);
            for (var i = first; i < first + group.Count; i++) sum += row[i] = Math.Exp(_logit[i] + _overshoot[i] - max);
            for (var i = first; i < first + group.Count; i++) row[i] /= sum;
        }
    }
}
