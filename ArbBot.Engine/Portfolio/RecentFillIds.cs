using ArbBot.Engine.Core;

namespace ArbBot.Engine.Portfolio;

/// <summary>What <see cref="RecentFillIds.TryAdd"/> decided about a fill.</summary>
public enum FillIdCheck : byte
{
    /// <summary>Not seen before and within the window: book it.</summary>
    New,

    /// <summary>Its id was booked before: a resend.</summary>
    Repeated,

    /// <summary>
    /// Its venue time is at or before the horizon: ids that old are no longer remembered, so it cannot be told from a
    /// resend of a forgotten fill, and is not booked.
    /// </summary>
    TooOld,
}

/// <summary>
/// The ids of the fills booked lately, so a fill reported again is booked once, in bounded memory. Single thread (the
/// hub's).
/// </summary>
/// <remarks>
/// <para>
/// Where repeats come from: a live venue resends fills after a reconnect and our gateways read them again over REST
/// (Kalshi from a minute before the oldest order they track, deduplicated by trade id there too), and a restart books
/// every recorded fill and then the venue's fills since the last recorded one, which overlap at that instant. A repeat
/// carries the venue's trade id and the venue's time of the trade, so it arrives with a time close to the newest fills
/// booked — seconds to minutes behind, not a day.
/// </para>
/// <para>
/// So an id is remembered for <see cref="Window"/> after it was booked, by the desk's clock (default a day: far longer
/// than any resend takes), and at most <see cref="Capacity"/> ids are kept (the earliest booked are forgotten first).
/// Forgetting an id moves the <see cref="Horizon"/> up to that fill's venue time, and a fill at or before the horizon
/// is refused (<see cref="FillIdCheck.TooOld"/>) rather than risk booking a resend twice: every fill booked with a
/// time after the horizon is still remembered, so no id is ever booked twice. The window runs on the booking time, not
/// the venue time, so a batch of old fills (a restart's rebuild, a reconciliation after a long outage, in any order) is
/// remembered as a whole and none of it pushes the horizon past another. The price of bounded memory is that a genuine
/// fill reported with a venue time at or before one booked a day earlier (or before the last <see cref="Capacity"/>
/// fills) is refused; it is counted in <see cref="RefusedAsTooOld"/>, and the portfolio raises
/// <see cref="DeskPortfolio.FillRefused"/>, which the desk reports as unhedged exposure.
/// </para>
/// </remarks>
public sealed class RecentFillIds
{
    // Ids as values (no object per id: see RecentIdRing); each entry's time is when it was booked (the desk's clock),
    // its value the fill's venue time.
    private readonly RecentIdRing<long> _booked = new();
    private long _horizonTicks = long.MinValue;
    private int _capacity = 200_000;

    /// <summary>How long after it was booked (by the desk's clock) an id is remembered. Default one day.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The most ids remembered, whatever their age. Default 200,000 (~17 MB at most, as values). At the cap the earliest
    /// booked is forgotten first and the horizon moves up to its time: a fill at or before it is then refused as
    /// <see cref="FillIdCheck.TooOld"/> and raised loudly, never booked twice.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1 or above 10,000,000.</exception>
    public int Capacity
    {
        get => _capacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxCapacity);
            _capacity = value;
        }
    }

    /// <summary>The largest <see cref="Capacity"/> accepted.</summary>
    public const int MaxCapacity = 10_000_000;

    /// <summary>Ids remembered now.</summary>
    public int Count => _booked.Count;

    /// <summary>Ids forgotten because <see cref="Capacity"/> was reached before their window ended.</summary>
    public long ForgottenAtCapacity { get; private set; }

    /// <summary>Fills refused because their time was at or before the horizon.</summary>
    public long RefusedAsTooOld { get; private set; }

    /// <summary>Fills at or before this time (UTC ticks of the venue's time) are refused; null until an id is forgotten.</summary>
    public DateTimeOffset? Horizon => _horizonTicks == long.MinValue ? null : new DateTimeOffset(_horizonTicks, TimeSpan.Zero);

    /// <summary>Remembers <paramref name="fillId"/>, of a fill made at <paramref name="time"/>, when it is new and after the horizon; <paramref name="now"/> is the desk's clock.</summary>
    public FillIdCheck TryAdd(string fillId, DateTimeOffset time, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(fillId);
        var ticks = time.UtcTicks;
        if (_booked.TryFind(fillId, out _)) return FillIdCheck.Repeated;
        if (ticks <= _horizonTicks)
        {
            RefusedAsTooOld++;
            return FillIdCheck.TooOld;
        }
        _booked.Add(fillId, now.UtcTicks, ticks);
        Forget(now.UtcTicks - Window.Ticks);
        return FillIdCheck.New;
    }

    private void Forget(long before)
    {
        while (_booked.Count > 0)
        {
            var oldest = _booked.Oldest;
            var full = _booked.Count > _capacity;
            if (!full && _booked.TimeOf(oldest) >= before) return;
            if (full && _booked.TimeOf(oldest) >= before) ForgottenAtCapacity++;
            var time = _booked.ValueOf(oldest);
            _booked.ForgetOldest();
            if (time > _horizonTicks) _horizonTicks = time;
        }
    }
}
