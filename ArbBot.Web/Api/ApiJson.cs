using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ArbBot.Web.Api;

/// <summary>
/// Reads request bodies strictly (unknown fields, wrong types and malformed JSON are refused) and turns every problem
/// into a 400 problem document whose <c>errors</c> name the offending field.
/// </summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
    };

    /// <summary>The body as <typeparamref name="T"/>, or a validation problem naming the field at fault.</summary>
    public static async Task<(T? Value, ValidationProblem? Problem)> ReadAsync<T>(HttpRequest request, bool allowEmpty = false) where T : class
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Body.CanSeek && request.Headers.ContentType.Count == 0))
        {
            return allowEmpty ? (null, null) : (null, Problem("body", "A JSON body is required."));
        }
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, request.HttpContext.RequestAborted);
            return value is null && !allowEmpty ? (null, Problem("body", "A JSON object is required.")) : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            var message = ex.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"Unknown field. {ex.Message.Split(". Path:")[0]}."
                : $"Not valid here: {ex.Message.Split(". Path:")[0]}.";
            return (null, Problem(field, message));
        }
    }

    public static ValidationProblem Problem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid.");

    public static ValidationProblem Problem(IReadOnlyList<string> errors) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(FieldOf).ToDictionary(g => g.Key, g => g.ToArray()),
            title: "The request is not valid.");

    /// <summary>Our validation messages start with the field's name ("MaxTradeSize must be ...").</summary>
    private static string FieldOf(string error)
    {
        var space = error.IndexOf(' ', StringComparison.Ordinal);
        var name = space > 0 ? error[..space] : "body";
        return name.Length > 0 ? char.ToLowerInvariant(name[0]) + name[1..] : "body";
    }
}
