using ArbBot.Engine.Core;

namespace ArbBot.Engine.Strategies.MultiOutcomeArb;

/// <summary>Which complete sets of a multi-outcome event may be traded, and why (or why not), in words.</summary>
/// <param name="Event">The venue's event.</param>
/// <param name="Outcomes">How many markets (outcomes) the event has.</param>
/// <param name="YesSets">True when buying YES on every outcome surely pays $1: the outcomes are exclusive and exhaustive.</param>
/// <param name="NoSets">True when buying NO on every outcome surely pays at least N − 1: at most one outcome can be YES.</param>
/// <param name="Reason">For people: what the venue promises about the event and what that allows.</param>
public sealed record OutcomeSetEligibility(VenueEvent Event, int Outcomes, bool YesSets, bool NoSets, string Reason)
{
    /// <summary>True when either kind of set may be traded.</summary>
    public bool Eligible => YesSets || NoSets;

    /// <summary>
    /// Decides what an event's outcome sets are worth trading.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A YES set (one YES per outcome) pays $1 only if exactly one outcome happens: the outcomes must be mutually
    /// exclusive <em>and</em> exhaustive, else the set can pay nothing. A NO set pays N − 1 when exactly one happens, N when
    /// none does: it needs only mutual exclusivity.
    /// </para>
    /// <para>
    /// Polymarket: a negative-risk event is exclusive and exhaustive by construction (its adapter converts NO of one
    /// outcome into YES of all the others), unless it is <em>augmented</em>: then placeholder outcomes ("Other", names
    /// still to be added) can be split into new markets later, so the listed outcomes need not cover what happens and the
    /// sum-below-$1 signal is false. Augmented events and events that are not negative-risk are never traded.
    /// </para>
    /// <para>
    /// Kalshi: <c>mutually_exclusive</c> (carried as <see cref="VenueEvent.MutuallyExclusive"/>) promises at most one YES,
    /// not that one always happens; nothing in the API says an event's strikes or candidates cover every case. So a
    /// mutually exclusive Kalshi event trades NO sets, and YES sets only once an admin has read its rules and listed it in
    /// <see cref="MultiOutcomeSettings.KalshiExhaustiveEvents"/>. Events without the flag are never traded.
    /// </para>
    /// <para>
    /// Every event also needs at least two outcomes, at most <see cref="MultiOutcomeSettings.MaxOutcomes"/>, and quantity
    /// steps that nest (each market's step divides the largest), so every leg can trade the same number of contracts.
    /// </para>
    /// </remarks>
    public static OutcomeSetEligibility Classify(VenueEvent venueEvent, IReadOnlyList<Market> markets, MultiOutcomeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(venueEvent);
        ArgumentNullException.ThrowIfNull(markets);
        ArgumentNullException.ThrowIfNull(settings);
        var n = markets.Count;
        OutcomeSetEligibility None(string reason) => new(venueEvent, n, false, false, reason);

        if (n < 2) return None($"{n} outcome listed: a set needs at least two");
        if (n > settings.MaxOutcomes) return None($"{n} outcomes, more than the {settings.MaxOutcomes} allowed (one leg per outcome)");
        var step = markets.Max(m => m.QuantityStep);
        if (markets.Any(m => m.QuantityStep <= 0m || step % m.QuantityStep != 0m)) return None("the markets' quantity steps do not nest, so the legs cannot match");

        bool yes, no;
        string reason;
        switch (venueEvent.Venue)
        {
            case VenueId.Polymarket when venueEvent.Augmented:
                return None("augmented negative-risk event: outcomes may still be added, so the listed ones need not be exhaustive");
            case VenueId.Polymarket when !venueEvent.NegRisk:
                return None("not a negative-risk event: its markets resolve independently");
            case VenueId.Polymarket:
                (yes, no, reason) = (true, true, "negative-risk event: exactly one outcome resolves YES");
                break;
            case VenueId.Kalshi when !venueEvent.MutuallyExclusive:
                return None("not mutually exclusive: more than one market may resolve YES");
            case VenueId.Kalshi when settings.IsVouchedExhaustive(venueEvent.EventKey):
                (yes, no, reason) = (true, true, "mutually exclusive, and listed by an admin as exhaustive");
                break;
            case VenueId.Kalshi:
                (yes, no, reason) = (false, true, "mutually exclusive but not listed as exhaustive: NO sets only (a YES set could pay nothing)");
                break;
            default:
                return None($"unknown venue {venueEvent.Venue}");
        }
        if (!settings.TradeNoSets && no)
        {
            no = false;
            reason += "; NO sets switched off";
        }
        return new OutcomeSetEligibility(venueEvent, n, yes, no, reason);
    }
}
