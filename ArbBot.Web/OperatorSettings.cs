using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace ArbBot.Web;

/// <summary>
/// The operator's appsettings.json lives at the repository root and is copied beside the app's binaries; the host's
/// content root (the project folder under <c>dotnet run</c>) does not hold it. This points the host's appsettings.json
/// source at the copy, keeping its place in the configuration order so environment variables (ArbBot__...),
/// user-secrets and the command line still override it.
/// </summary>
public static class OperatorSettings
{
    public static void UseOperatorSettings(this ConfigurationManager configuration)
    {
        var sources = configuration.Sources;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource { Path: "appsettings.json" } json && !File.Exists(Path.Combine(ContentRoot(json), "appsettings.json")))
            {
                sources[i] = new JsonConfigurationSource
                {
                    Path = "appsettings.json",
                    Optional = false,
                    ReloadOnChange = json.ReloadOnChange,
                    FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
                };
            }
        }
    }

    private static string ContentRoot(JsonConfigurationSource json) =>
        json.FileProvider is PhysicalFileProvider physical ? physical.Root : Directory.GetCurrentDirectory();
}
