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
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, long TimeTicks, long BookedTicks)> _booked = new();
    private long _horizonTicks = long.MinValue;

    /// <summary>How long after it was booked (by the desk's clock) an id is remembered. Default one day.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The most ids remembered, whatever their age. Default 200,000 (~20 MB at most).</summary>
    public int Capacity { get; set; } = 200_000;

    /// <summary>Ids remembered now.</summary>
    public int Count => _ids.Count;

    /// <summary>Fills refused because their time was at or before the horizon.</summary>
    public long RefusedAsTooOld { get; private set; }

    /// <summary>Fills at or before this time (UTC ticks of the venue's time) are refused; null until an id is forgotten.</summary>
    public DateTimeOffset? Horizon => _horizonTicks == long.MinValue ? null : new DateTimeOffset(_horizonTicks, TimeSpan.Zero);

    /// <summary>Remembers <paramref name="fillId"/>, of a fill made at <paramref name="time"/>, when it is new and after the horizon; <paramref name="now"/> is the desk's clock.</summary>
    public FillIdCheck TryAdd(string fillId, DateTimeOffset time, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(fillId);
        var ticks = time.UtcTicks;
        if (_ids.Contains(fillId)) return FillIdCheck.Repeated;
        if (ticks <= _horizonTicks)
        {
            RefusedAsTooOld++;
            return FillIdCheck.TooOld;
        }
        _ids.Add(fillId);
        _booked.Enqueue((fillId, ticks, now.UtcTicks));
        Forget(now.UtcTicks - Window.Ticks);
        return FillIdCheck.New;
    }

    private void Forget(long before)
    {
        while (_booked.TryPeek(out var oldest) && (_booked.Count > Capacity || oldest.BookedTicks < before))
        {
            _booked.Dequeue();
            _ids.Remove(oldest.Id);
            if (oldest.TimeTicks > _horizonTicks) _horizonTicks = oldest.TimeTicks;
        }
    }
}
