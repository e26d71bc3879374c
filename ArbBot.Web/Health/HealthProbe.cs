namespace ArbBot.Web.Health;

/// <summary>
/// <c>dotnet ArbBot.Web.dll --probe-health [url]</c>: asks a running desk's <c>/health</c> and exits 0 when it is
/// healthy, 1 otherwise. The container image has no curl, so its HEALTHCHECK uses this.
/// </summary>
public static class HealthProbe
{
    public const string Argument = "--probe-health";

    public static async Task<int> RunAsync(string[] args)
    {
        var baseUrl = args.Length > 0 ? args[0] : LocalUrl(Environment.GetEnvironmentVariable("ASPNETCORE_URLS"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(new Uri(new Uri(baseUrl), "/health"));
            Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            Console.Error.WriteLine($"Health probe of {baseUrl} failed: {ex.Message}");
            return 1;
        }
    }

    /// <summary>The first listening URL with a wildcard host replaced by localhost.</summary>
    internal static string LocalUrl(string? urls)
    {
        var first = (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "http://localhost:8080";
        return first.Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .Replace("://[::]", "://localhost", StringComparison.Ordinal);
    }
}
