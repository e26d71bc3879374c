using ArbBot.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ArbBot.Web.Components.Spreads;

/// <summary>The newest stored opportunity of each of a set of pairs, for the Spreads page's "last opportunity" column.</summary>
public static class LatestOpportunities
{
    /// <summary>
    /// One query: for each pair id, the row with the highest id among that pair's opportunities (pairs with none are
    /// absent). The pairs' ids are read from the pair index (schema step 4), not by scanning the table: opening the page
    /// no longer reads every stored opportunity for each pair that has none.
    /// </summary>
    public static IQueryable<OpportunityRow> ForPairs(ArbBotDbContext db, IReadOnlyCollection<long?> pairIds)
    {
        var ids = pairIds.ToArray();
        var newest = db.Opportunities.Where(o => ids.Contains(o.PairId)).GroupBy(o => o.PairId).Select(g => g.Max(o => o.Id));
        return db.Opportunities.AsNoTracking().Where(o => newest.Contains(o.Id));
    }

    public static Task<List<OpportunityRow>> ForPairsAsync(ArbBotDbContext db, IReadOnlyCollection<long?> pairIds, CancellationToken cancellationToken = default) =>
        ForPairs(db, pairIds).ToListAsync(cancellationToken);
}
