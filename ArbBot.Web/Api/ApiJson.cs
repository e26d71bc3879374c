using System.Text.Json;
using System.Text.Json.Serialization;
using ArbBot.Engine.Control;
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
        // Read the whole (small) body first: "no body" then looks the same however the client sent it.
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes) return (null, Problem("body", $"The body is larger than {MaxBodyBytes} bytes."));
        }
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return allowEmpty ? (null, null) : (null, Problem("body", "A JSON body is required."));
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes.Span, Options);
            return value is null && !allowEmpty ? (null, Problem("body", "A JSON object is required.")) : (value, null);
        }
        catch (JsonException ex)
        {
            var error = Describe(ex);
            return (null, Problem(error.Field, error.Message));
        }
    }

    /// <summary>
    /// A JSON value already parsed (a SignalR argument) as <typeparamref name="T"/>, read as strictly as a REST body;
    /// or the error naming the field at fault, as REST would.
    /// </summary>
    public static (T? Value, CommandError? Error) Deserialize<T>(JsonElement json) where T : class
    {
        if (json.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return (null, new CommandError("body", "A JSON object is required."));
        try
        {
            var value = json.Deserialize<T>(Options);
            return value is null ? (null, new CommandError("body", "A JSON object is required.")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Describe(ex));
        }
    }

    /// <summary>A command error with its field named as in JSON (camelCase), as REST problem documents name it.</summary>
    public static CommandError JsonField(CommandError error) => error with { Field = JsonNamingPolicy.CamelCase.ConvertName(error.Field) };

    private static CommandError Describe(JsonException ex)
    {
        var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
        var message = ex.Message.Contains("could not be mapped", StringComparison.Ordinal)
            ? $"Unknown field. {ex.Message.Split(". Path:")[0]}."
            : $"Not valid here: {ex.Message.Split(". Path:")[0]}.";
        return new CommandError(field, message);
    }

    /// <summary>Command bodies are tiny; anything larger is refused before parsing.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static ValidationProblem Problem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid.");

    /// <summary>A command's refusal as a problem document, keyed by the JSON (camelCase) name of each field.</summary>
    public static ValidationProblem Problem(IReadOnlyList<CommandError> errors) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => JsonNamingPolicy.CamelCase.ConvertName(e.Field)).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: "The request is not valid.");
}
