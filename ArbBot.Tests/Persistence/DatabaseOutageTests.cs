using System.Net;
using System.Text.Json;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Faults;
using ArbBot.Tests.Fixtures;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Persistence;

/// <summary>The whole desk while another process holds the SQLite database locked, then lets it go.</summary>
public sealed class DatabaseOutageTests
{
    private const string AdminKey = "outage-admin-key-0123456789abcdef";

    [Fact]
    public async Task While_the_database_is_locked_the_kill_switch_still_engages_riskier_changes_are_refused_and_all_is_saved_when_it_returns()
    {
        await using var app = new DeskAppFactory(new Dictionary<string, string?> { ["ArbBot:Api:AdminKey"] = AdminKey });
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        await app.WaitUntilRunningAsync();
        using var fault = FaultReport.Begin("Database locked by another process (SQLite exclusive lock)", "Database");

        using (var holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = app.DatabasePath }.ConnectionString))
        {
            await holder.OpenAsync();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                await begin.ExecuteNonQueryAsync();
                fault.Inject();
            }

            // The kill switch must never wait for the database: it is in force at once, saved later.
            var engaged = await client.PostAsync("/api/kill-switch?reason=outage%20drill", null);
            Assert.Equal(HttpStatusCode.OK, engaged.StatusCode);
            await WaitUntilAsync(async () => (await StatusAsync(client)).GetProperty("killSwitchEngaged").GetBoolean());

            // Resetting it makes the desk riskier: without a durable record it is refused, plainly, and nothing changes.
            var reset = await client.DeleteAsync("/api/kill-switch");
            Assert.Equal(HttpStatusCode.BadRequest, reset.StatusCode);
            Assert.Contains("database is not taking changes", await reset.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True((await StatusAsync(client)).GetProperty("killSwitchEngaged").GetBoolean());

            // The dashboard's data says the database is refusing writes and how much is waiting.
            await WaitUntilAsync(async () => (await StatusAsync(client)).GetProperty("recordsFailingSince").ValueKind == JsonValueKind.String);
            Assert.True((await StatusAsync(client)).GetProperty("recordsPending").GetInt32() >= 2);

            using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        await app.Services.GetRequiredService<RecordWriter>().FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        await WaitUntilAsync(async () => (await StatusAsync(client)).GetProperty("recordsFailingSince").ValueKind == JsonValueKind.Null);
        fault.Survived("kill switch engaged at once during the lock; its reset refused plainly; shown as failing; every record written after");

        await using (var db = CreateDbContext(app))
        {
            var audit = await db.Audit.Where(a => a.Action == "kill-switch.engage").ToListAsync();
            var entry = Assert.Single(audit);
            Assert.Equal("off", entry.OldValue);
            Assert.Equal("engaged", entry.NewValue);
            Assert.DoesNotContain(await db.Audit.ToListAsync(), a => a.Action == "kill-switch.reset");
            var controls = await db.Settings.SingleAsync(s => s.Key == "desk.controls");
            Assert.Contains("\"killSwitchEngaged\":true", controls.ValueJson, StringComparison.Ordinal);
        }

        // With the database back, the reset goes through and is recorded after the engage.
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync("/api/kill-switch")).StatusCode);
        await using (var db = CreateDbContext(app))
        {
            var actions = await db.Audit.OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
            Assert.Equal(["kill-switch.engage", "kill-switch.reset"], actions.Where(a => a.StartsWith("kill-switch", StringComparison.Ordinal)));
            var controls = await db.Settings.SingleAsync(s => s.Key == "desk.controls");
            Assert.Contains("\"killSwitchEngaged\":false", controls.ValueJson, StringComparison.Ordinal);
        }
    }

    private static ArbBotDbContext CreateDbContext(DeskAppFactory app) =>
        app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContext();

    private static async Task<JsonElement> StatusAsync(HttpClient client)
    {
        using var status = JsonDocument.Parse(await client.GetStringAsync("/api/status"));
        return status.RootElement.Clone();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold within 60 s.");
            await Task.Delay(100);
        }
    }
}
