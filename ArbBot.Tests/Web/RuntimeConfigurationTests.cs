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
}
