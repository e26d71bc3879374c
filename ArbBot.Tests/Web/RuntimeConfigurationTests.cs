using System.Text.Json;

namespace ArbBot.Tests.Web;

public sealed class RuntimeConfigurationTests
{
    [Fact]
    public void The_app_runs_the_workstation_collector_with_background_collections_that_the_benchmarks_measure()
    {
        // The app's own runtimeconfig.json, as its build wrote it (the test project copies it beside its assembly).
        var path = Path.Combine(AppContext.BaseDirectory, "ArbBot.Web.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.True(properties.GetProperty("System.GC.Concurrent").GetBoolean());
    }

    [Fact]
    public void The_app_asks_the_collector_to_conserve_memory_so_an_hour_at_load_stays_under_the_memory_target()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "ArbBot.Web.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        // 0 (the default) is off; 1-9 collect gen 2 sooner the more of it is dead.
        Assert.Equal(7, properties.GetProperty("System.GC.ConserveMemory").GetInt32());
    }
}
