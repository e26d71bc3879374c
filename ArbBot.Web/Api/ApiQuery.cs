using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ArbBot.Web.Api;

/// <summary>
/// Reads the API's numeric query parameters itself: the framework's binder answers "limit=abc" with an empty 400 that
/// names nothing, these answer with a ValidationProblem naming the parameter and what it takes.
/// </summary>
public static class ApiQuery
{
    /// <summary>Most rows one listing returns.</summary>
    public const int MaxLimit = 1000;

    /// <summary>A value read from the query, or the problem that names the parameter.</summary>
    public readonly record struct Parsed<T>(T Value, ValidationProblem? Problem);

    /// <summary><c>limit</c>: 1–1000, default 100.</summary>
    public static Parsed<int> Limit(HttpRequest request)
    {
        var text = Single(request, "limit", out var repeated);
        if (repeated) return new(0, ApiJson.Problem("limit", "limit may be given once."));
        if (text is null) return new(100, null);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit
            ? new(limit, null)
            : new(0, ApiJson.Problem("limit", $"limit must be a whole number between 1 and {MaxLimit} (was '{Shorten(text)}')."));
    }

    /// <summary>An optional positive id such as <c>pairId</c> or <c>before</c>.</summary>
    public static Parsed<long?> Id(HttpRequest request, string name)
    {
        var text = Single(request, name, out var repeated);
        if (repeated) return new(null, ApiJson.Problem(name, $"{name} may be given once."));
        if (text is null) return new(null, null);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id >= 1
            ? new(id, null)
            : new(null, ApiJson.Problem(name, $"{name} must be a positive whole number (was '{Shorten(text)}')."));
    }

    private static string? Single(HttpRequest request, string name, out bool repeated)
    {
        var values = request.Query[name];
        repeated = values.Count > 1;
        return values.Count == 0 || string.IsNullOrEmpty(values[0]) ? null : values[0];
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
