using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serverless.ServiceDefaults;

/// <summary>
/// What the framework refuses before an endpoint runs, answered in the endpoints' own words: a body that does not
/// bind is a 400 validation problem like the endpoints' (<c>errors</c> by the field's JSON name: <c>texts[1]</c>,
/// <c>foo</c> for an unknown field, <c>body</c> for broken or missing JSON) with a <c>detail</c> in plain words. The log line keeps
/// the framework's own reason for developers; the answer never shows .NET type names.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(
    IProblemDetailsService problems, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<BadRequestExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad) return false;
        logger.LogWarning("Bad request {Method} {Path}: {Reason}", context.Request.Method, context.Request.Path, Reason(bad));
        // The framework throws 400s, and 415 for a body that is not JSON, whose detail the service defaults give every bare 415.
        var problem = bad.StatusCode == StatusCodes.Status400BadRequest ? Invalid(context, bad) : new ProblemDetails();
        problem.Status = bad.StatusCode;
        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(
            new ProblemDetailsContext { HttpContext = context, Exception = exception, ProblemDetails = problem });
    }

    /// <summary>The framework's message names the parameter; the JSON reader's inner message names the spot.</summary>
    private static string Reason(BadHttpRequestException bad) =>
        bad.InnerException is JsonException json ? $"{bad.Message} {json.Message}" : bad.Message;

    /// <summary>
    /// The 400s: the framework's messages (its <c>RequestDelegateCreationLogging</c> constants) name the parameter, the JSON
    /// reader's exception the spot in the body. A message of another kind keeps the status and gets a plain detail.
    /// </summary>
    private ProblemDetails Invalid(HttpContext context, BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException { InnerException: JsonException } broken)
            return Validation(Body, "Not valid JSON.",
                $"The body is not valid JSON: the error is at line {broken.LineNumber + 1}, byte {broken.BytePositionInLine + 1}.");
        // The exception handler has cleared the request's endpoint; its feature keeps the one that threw.
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        if (bad.InnerException is JsonException wrong)
            return WrongJson(wrong.Path ?? "$", endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType);
        if (bad.Message.StartsWith(ImplicitBodyNotProvided, StringComparison.Ordinal))
            return Validation(Body, "A JSON body is required.", "A JSON body is required.");
        return new ProblemDetails { Detail = "The request could not be read." };
    }

    /// <summary>
    /// A body that is JSON but not of the shape <paramref name="requestType"/> takes. <paramref name="path"/> (<c>$.texts[1]</c>,
    /// <c>$['a b']</c>) leads from the request type through its JSON metadata to the member that failed: a name the type does not
    /// have is an unknown field, otherwise the member's type says what JSON it takes.
    /// </summary>
    private ProblemDetails WrongJson(string path, Type? requestType)
    {
        var options = json.Value.SerializerOptions;
        var info = requestType is not null && options.TryGetTypeInfo(requestType, out var root) ? root : null;
        var field = "";
        foreach (Match segment in PathSegment().Matches(path))
        {
            if (segment.Groups["index"].Success)
            {
                field += $"[{segment.Groups["index"].Value}]";
                info = info?.ElementType is { } element && options.TryGetTypeInfo(element, out var item) ? item : null;
                continue;
            }
            var name = segment.Groups["name"].Value;
            field += field.Length == 0 ? name : "." + name;
            var property = info?.Properties.FirstOrDefault(p => string.Equals(p.Name, name,
                options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
            if (info is { Kind: JsonTypeInfoKind.Object } && property is null)
                return Validation(field, "Unknown field.", $"The body has a field this API does not take: {field}.");
            info = property is not null && options.TryGetTypeInfo(property.PropertyType, out var member) ? member : null;
        }
        return field.Length == 0
            ? Mismatch(Body, "The body", info is null ? null : Expected(info))
            : Mismatch(field, $"The body's field {field}", info is null ? null : Expected(info));
    }

    /// <summary>What JSON a member takes, where its type says so simply: "a string", "an array of strings", ...; null otherwise.</summary>
    private static string? Expected(JsonTypeInfo info) => info.Kind switch
    {
        JsonTypeInfoKind.Object => "an object",
        JsonTypeInfoKind.Enumerable when info.ElementType == typeof(string) => "an array of strings",
        JsonTypeInfoKind.None => Scalar(info.Type),
        _ => null,
    };

    private static string? Scalar(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var text when text == typeof(string) => "a string",
        { IsEnum: false } integer when Type.GetTypeCode(integer) is >= TypeCode.SByte and <= TypeCode.UInt64 => "a whole number",
        _ => null,
    };

    private static HttpValidationProblemDetails Mismatch(string field, string subject, string? expected) => expected is null
        ? Validation(field, "Has the wrong type.", $"{subject} has the wrong type.")
        : Validation(field, $"Must be {expected}.", $"{subject} must be {expected}.");

    private static HttpValidationProblemDetails Validation(string field, string message, string detail) =>
        new(new Dictionary<string, string[]> { [field] = [message] }) { Detail = detail };

    /// <summary>The key for the body as a whole, as the endpoints use it (<c>PATCH /me</c> with nothing to change).</summary>
    private const string Body = "body";

    private const string ImplicitBodyNotProvided = "Implicit body inferred for parameter \"";

    [GeneratedRegex("""\.(?<name>[^.\[]+)|\['(?<name>.*?)'\]|\[(?<index>[0-9]+)\]""")]
    private static partial Regex PathSegment();
}
