using ArbBot.Engine.Control;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Components.Strategies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Strategies.SpikeHunter;

public sealed class SpikeHunterSettingsTests
{
    [Fact]
    public void Defaults_are_seed_004s_and_valid()
    {
        var s = new SpikeHunterSettings();
        Assert.Empty(SpikeHunterSettingsValidator.Validate(s));
        Assert.Equal((0.03m, 0.005m, 20, 2.5m, 1m, 3, 50m), (s.CusumThreshold, s.CusumSlack, s.EwmaSpan, s.EwmaMultiplier, s.RocThresholdPercent, s.RocPeriods, s.MinLiquidityUsd));
        Assert.Equal((TimeSpan.FromSeconds(30), 2m, 3m, TimeSpan.FromSeconds(1)), (s.Cooldown, s.StopMultiplier, s.ProfitMultiplier, s.SampleInterval));
        Assert.Equal(SpikeTradeDirection.Fade, s.Direction);
        Assert.Equal(0.25m, s.KellyFraction);
        Assert.False(s.Enabled);
    }

    [Fact]
    public void Every_field_outside_its_range_is_named()
    {
        var bad = new SpikeHunterSettings
        {
            SampleInterval = TimeSpan.FromMilliseconds(10),
            CusumThreshold = 0m,
            CusumSlack = 0.2m,
            EwmaSpan = 1,
            EwmaMultiplier = 11m,
            RocThresholdPercent = -1m,
            RocPeriods = 0,
            MinLiquidityUsd = -1m,
            MaxSpread = 0.6m,
            Cooldown = TimeSpan.FromHours(2),
            StopMultiplier = 0m,
            ProfitMultiplier = 51m,
            TrailingMultiplier = 0m,
            MaxHoldingTime = TimeSpan.Zero,
            MaxConcurrentPositions = 0,
            KellyFraction = 1.5m,
            MaxBankrollFraction = 0m,
            Direction = (SpikeTradeDirection)9,
        };
        var fields = SpikeHunterSettingsValidator.Validate(bad).Select(e => e.Field).ToHashSet();
        var expected = typeof(SpikeHunterSettings).GetProperties().Where(p => p.CanWrite && p.Name != nameof(SpikeHunterSettings.Enabled)).Select(p => p.Name);
        Assert.Equal(expected.Order(), fields.Order());
        Assert.Contains(SpikeHunterSettingsValidator.Validate(new SpikeHunterSettings { EwmaSpan = 1 }),
            e => e.Message == "EwmaSpan must be between 2 and 1,000 (was 1)");
    }

    [Fact]
    public void The_page_fields_cover_every_numeric_setting_with_the_validators_ranges()
    {
        foreach (var field in SpikeHunterFields.All)
        {
            var defaults = new SpikeHunterSettings();
            Assert.Empty(SpikeHunterSettingsValidator.Validate(field.Set(defaults, field.Min)));
            Assert.Empty(SpikeHunterSettingsValidator.Validate(field.Set(defaults, field.Max)));
            Assert.Contains(SpikeHunterSettingsValidator.Validate(field.Set(defaults, field.Min - field.Step)), e => e.Field == field.Name);
            Assert.Contains(SpikeHunterSettingsValidator.Validate(field.Set(defaults, field.Max + field.Step)), e => e.Field == field.Name);
        }
        Assert.Equal(typeof(SpikeHunterSettings).GetProperties().Count(p => p.CanWrite) - 2, SpikeHunterFields.All.Count);
    }

    [Fact]
    public async Task A_change_is_persisted_applied_and_audited_and_restored_after_a_restart()
    {
        await using var app = new DeskAppFactory();
        await app.Services.GetRequiredService<EngineHost>().Ready;
        var commands = app.Services.GetRequiredService<DeskCommands>();
        var controls = app.Services.GetRequiredService<SpikeHunterControls>();
        var changed = controls.Settings with { CusumThreshold = 0.05m, Direction = SpikeTradeDirection.Follow };

        var result = await commands.SetSpikeHunterSettingsAsync("alice", changed, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(changed, controls.Settings);
        var contexts = app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var audit = await db.Audit.SingleAsync(a => a.Action == DeskCommands.SpikeHunterAction);
            Assert.Equal("alice", audit.Actor);
            Assert.Equal("Direction=Fade; CusumThreshold=0.03", audit.OldValue);
            Assert.Equal("Direction=Follow; CusumThreshold=0.05", audit.NewValue);
            Assert.Equal("alice", (await db.Settings.SingleAsync(s => s.Key == SettingsStore.SpikeHunterKey)).UpdatedBy);
        }

        // Start-up loads what was saved: put the live value back to the default, then restore.
        var store = app.Services.GetRequiredService<SettingsStore>();
        Assert.Equal(changed, await store.LoadSpikeHunterAsync(CancellationToken.None));
        controls.Apply(new SpikeHunterSettings());
        await commands.RestoreAsync(CancellationToken.None);
        Assert.Equal(changed, controls.Settings);
    }

    [Fact]
    public async Task An_invalid_change_is_refused_and_changes_nothing()
    {
        await using var app = new DeskAppFactory();
        await app.Services.GetRequiredService<EngineHost>().Ready;
        var commands = app.Services.GetRequiredService<DeskCommands>();
        var controls = app.Services.GetRequiredService<SpikeHunterControls>();
        var before = controls.Settings;

        var result = await commands.SetSpikeHunterSettingsAsync("alice", before with { RocPeriods = 0 }, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(nameof(SpikeHunterSettings.RocPeriods), Assert.Single(result.Errors).Field);
        Assert.Equal(before, controls.Settings);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        Assert.False(await db.Audit.AnyAsync(a => a.Action == DeskCommands.SpikeHunterAction));
    }
}
