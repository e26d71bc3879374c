using System.Collections;

namespace ArbBot.Engine.Observability;

/// <summary>
/// A logging scope carrying the ids that tie log lines to one opportunity and its orders
/// (<c>OpportunityId</c>, <c>PairId</c>, <c>ClientOrderId</c>): with scopes on (the JSON console does), every line
/// written inside it carries them, so one trade's story can be pulled out of the log by id.
/// </summary>
public sealed class Correlation(long? opportunityId, long? pairId = null, string? clientOrderId = null) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private KeyValuePair<string, object?>[] Items =>
    [
        new("OpportunityId", opportunityId),
        new("PairId", pairId),
        new("ClientOrderId", clientOrderId),
    ];

    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => Items[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>How simple console output shows the scope.</summary>
    public override string ToString() =>
        $"opportunity {opportunityId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, pair {pairId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, order {clientOrderId ?? "-"}";
}
