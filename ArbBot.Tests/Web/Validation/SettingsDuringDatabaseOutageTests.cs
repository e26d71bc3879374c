using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Engine.Notifications;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Tests.Fixtures;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Web.Validation;

/// <summary>
/// The settings commands while another process holds the database locked: each is refused plainly (field "database"),
/// over REST as a 400 ValidationProblem and never a 500, nothing changes and nothing is audited; once the database is
/// back the same change goes through.
/// </summary>
public sealed class SettingsDuringDatabaseOutageTests
{
    private const string AdminKey = "settings-outage-admin-key-0123456789";

    [Fact]
    public async Task Settings_changes_are_refused_plainly_while_the_database_is_locked_and_go_through_once_it_returns()
    {
        await using var app = new DeskAppFactory(new Dictionary<string, string?> { ["ArbBot:Api:AdminKey"] = AdminKey });
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        await app.WaitUntilRunningAsync();
        var commands = app.Services.GetRequiredService<DeskCommands>();
        var spike = app.Services.GetRequiredService<SpikeHunterControls>();
        var controls = app.Services.GetRequiredService<DeskControls>();
        var notifications = app.Services.GetRequiredService<NotificationControls>();
        var spikeBefore = spike.Settings;
        var multiBefore = controls.MultiOutcome;
        var notificationsBefore = notifications.Settings;
        var auditBefore = await AuditActionsAsync(app);

        using (var holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = app.DatabasePath }.ConnectionString))
        {
            await holder.OpenAsync();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                await begin.ExecuteNonQueryAsync();
            }

            using var spikeResponse = await client.PutAsJsonAsync("/api/strategies/spike", new { enabled = !spikeBefore.Enabled });
            await AssertDatabaseRefusalAsync(spikeResponse);
            using var multiResponse = await client.PutAsJsonAsync("/api/strategies/multi-outcome", new { enabled = !multiBefore.Enabled });
            await AssertDatabaseRefusalAsync(multiResponse);
            var notificationResult = await commands.SetNotificationSettingsAsync("admin", notificationsBefore with { Enabled = !notificationsBefore.Enabled }, CancellationToken.None);
            Assert.False(notificationResult.Succeeded);
            var error = Assert.Single(notificationResult.Errors);
            Assert.Equal("database", error.Field);
            Assert.Equal(DeskCommands.DatabaseUnavailableMessage, error.Message);

            // Nothing changed in force.
            Assert.Equal(spikeBefore, spike.Settings);
            Assert.Equal(multiBefore, controls.MultiOutcome);
            Assert.Equal(notificationsBefore, notifications.Settings);

            using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        // Nothing was recorded either: the refused changes left no audit entry and no setting.
        Assert.Equal(auditBefore, await AuditActionsAsync(app));

        // With the database back the same changes go through and are audited.
        using var retried = await client.PutAsJsonAsync("/api/strategies/spike", new { enabled = !spikeBefore.Enabled });
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(!spikeBefore.Enabled, spike.Settings.Enabled);
        Assert.True((await commands.SetNotificationSettingsAsync("admin", notificationsBefore with { Enabled = !notificationsBefore.Enabled }, CancellationToken.None)).Succeeded);
        Assert.Contains(DeskCommands.SpikeHunterAction, await AuditActionsAsync(app));
    }

    private static async Task AssertDatabaseRefusalAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var message = problem.RootElement.GetProperty("errors").GetProperty("database")[0].GetString();
        Assert.Equal(DeskCommands.DatabaseUnavailableMessage, message);
    }

    private static async Task<List<string>> AuditActionsAsync(DeskAppFactory app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        return await db.Audit.OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
    }
}
