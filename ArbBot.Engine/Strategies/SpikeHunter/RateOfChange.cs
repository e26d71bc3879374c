namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>
/// Rate of change over n samples, in percent: (xₜ − xₜ₋ₙ) / xₜ₋ₙ × 100. Keeps the last n + 1 samples in a ring allocated
/// once; ready after n + 1 samples. One per instrument, on the hub's thread.
/// </summary>
public sealed class RateOfChange
{
    private readonly double[] _ring;
    private int _next;
    private int _count;

    /// <summary>Creates the measure over <paramref name="periods"/> samples (1 or more).</summary>
    public RateOfChange(int periods)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(periods, 1);
        Periods = periods;
        _ring = new double[periods + 1];
    }

    public int Periods { get; }

    /// <summary>True once n + 1 samples have been seen.</summary>
    public bool IsReady => _count > Periods;

    /// <summary>The percent change from n samples ago to the latest, or 0 until ready (or when the old value is 0).</summary>
    public double Percent
    {
        get
        {
            if (!IsReady) return 0;
            var latest = _ring[(_next + _ring.Length - 1) % _ring.Length];
            var old = _ring[_next]; // the slot written next holds the oldest of the n + 1
            return old == 0 ? 0 : (latest - old) / old * 100.0;
        }
    }

    public void Add(double value)
    {
        _ring[_next] = value;
        _next = (_next + 1) % _ring.Length;
        if (_count <= Periods) _count++;
    }

    public void Reset()
    {
        _next = 0;
        _count = 0;
    }

    /// <summary>True when the change confirms <paramref name="direction"/> by more than <paramref name="thresholdPercent"/>.</summary>
    public bool Confirms(SpikeDirection direction, double thresholdPercent) => IsReady && direction switch
    {
        SpikeDirection.Up => Percent > thresholdPercent,
        SpikeDirection.Down => Percent < -thresholdPercent,
        _ => false,
    };
}
