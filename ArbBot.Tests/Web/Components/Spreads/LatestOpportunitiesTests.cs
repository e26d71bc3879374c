using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Components.Spreads;
using Microsoft.EntityFrameworkCore;

namespace ArbBot.Tests.Web.Components.Spreads;

public abstract class LatestOpportunitiesContract
{
    private static readonly DateTime Start = new(2026, 11, 22, 8, 0, 0, DateTimeKind.Utc);

    protected abstract Task<IDbContextFactory<ArbBotDbContext>> MigratedDatabaseAsync();

    [Fact]
    public async Task Each_pair_gets_its_newest_stored_opportunity_and_a_pair_without_any_gets_none()
    {
        var contexts = await MigratedDatabaseAsync();
        await using (var db = contexts.CreateDbContext())
        {
            // Pairs interleaved, ids not in pair order; pair 3 is not asked for, pair 4 has nothing stored.
            long?[] pairs = [1, 2, 1, 3, 2, 1, null, 3, 2];
            for (var i = 0; i < pairs.Length; i++) db.Opportunities.Add(Row(i + 1, pairs[i]));
            await db.SaveChangesAsync();
        }

        await using var read = contexts.CreateDbContext();
        var latest = await LatestOpportunities.ForPairsAsync(read, [1, 2, 4]);

        Assert.Equal([(1L, 6L), (2L, 9L)], latest.Select(o => (o.PairId!.Value, o.Id)).Order().ToList());
        Assert.All(latest, o => Assert.Equal($"opportunity {o.Id}", o.Reason));
    }

    [Fact]
    public async Task No_pairs_asked_for_finds_nothing()
    {
        var contexts = await MigratedDatabaseAsync();
        await using (var db = contexts.CreateDbContext())
        {
            db.Opportunities.Add(Row(1, 1));
            await db.SaveChangesAsync();
        }

        await using var read = contexts.CreateDbContext();
        Assert.Empty(await LatestOpportunities.ForPairsAsync(read, []));
    }

    protected static OpportunityRow Row(long id, long? pairId) => new()
    {
        Id = id,
        Strategy = "cross-venue",
        PairId = pairId,
        DetectedUtc = Start.AddSeconds(id),
        Quantity = 1m,
        Decision = "Rejected",
        Reason = $"opportunity {id}",
    };
}

public sealed class SqliteLatestOpportunitiesTests : LatestOpportunitiesContract, IDisposable
{
    private SqliteDatabase? _database;

    protected override async Task<IDbContextFactory<ArbBotDbContext>> MigratedDatabaseAsync() => _database = await SqliteDatabase.MigratedAsync();

    [Fact]
    public async Task The_newest_of_each_pair_is_read_through_the_pair_index_not_a_scan_of_the_table()
    {
        var contexts = await MigratedDatabaseAsync();
        await using var db = contexts.CreateDbContext();
        await using var command = LatestOpportunities.ForPairs(db, [1, 2]).CreateDbCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        await db.Database.OpenConnectionAsync();
        command.Connection = db.Database.GetDbConnection();
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
        }

        Assert.Contains(plan, step => step.Contains("ix_opportunities_pair", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN o", StringComparison.Ordinal) || step == "SCAN opportunities");
    }

    public void Dispose() => _database?.Dispose();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLatestOpportunitiesTests(PostgresServer server) : LatestOpportunitiesContract
{
    protected override Task<IDbContextFactory<ArbBotDbContext>> MigratedDatabaseAsync() => server.MigratedDatabaseAsync();
}
