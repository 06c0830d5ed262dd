using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.ModelServer;

/// <summary>What an injected fault makes an invocation do.</summary>
public enum FaultMode
{
    /// <summary>No fault: invocations are scored.</summary>
    None,

    /// <summary>Answer ThrottlingException (HTTP 429 unless a status is given; SageMaker has also been seen sending 400).</summary>
    Throttle,

    /// <summary>Answer a service-side failure: 500 InternalFailure, or 503 ServiceUnavailable with status 503.</summary>
    Error5xx,

    /// <summary>Wait <see cref="FaultState.DelayMs"/> milliseconds, then score as usual.</summary>
    Slow,

    /// <summary>Answer ModelError (HTTP 424), as if the model container had failed with the given status (500 unless given).</summary>
    ModelError,
}

/// <summary>The fault settings, as <c>GET /_faults</c> shows them.</summary>
/// <param name="Mode">The fault (lower-case in JSON: none, throttle, error5xx, slow, modelError).</param>
/// <param name="Remaining">Invocations still to be affected; -1: every one until cleared; 0 with mode none.</param>
/// <param name="DelayMs">The delay of <see cref="FaultMode.Slow"/>.</param>
/// <param name="Status">The HTTP status (throttle, error5xx) or the container's status (modelError).</param>
/// <param name="Fired">Invocations affected since the settings were last changed.</param>
public sealed record FaultState(FaultMode Mode, int Remaining, int DelayMs, int Status, int Fired);

/// <summary>The body of <c>POST /_faults</c>.</summary>
public sealed class FaultRequest
{
    /// <summary>none | throttle | error5xx | slow | modelError.</summary>
    public string? Mode { get; set; }

    /// <summary>How many of the next invocations to affect: 1 when absent; -1 for every one until cleared.</summary>
    public int? Count { get; set; }

    /// <summary>Delay for slow (0 … 600000 ms).</summary>
    public int? DelayMs { get; set; }

    /// <summary>Status for throttle (429 or 400), error5xx (500 or 503) and modelError (the container's, 400 … 599).</summary>
    public int? Status { get; set; }
}

/// <summary>
/// Test-controllable faults, so integration tests can drive a caller's retries: the next N invocations are throttled,
/// fail, are slow or answer a model error. Thread-safe; each invocation takes at most one fault, in arrival order.
/// </summary>
public sealed class FaultInjector
{
    /// <summary>The longest delay a slow fault may ask for (10 minutes).</summary>
    public const int MaxDelayMs = 600_000;

    private static readonly FaultState Cleared = new(FaultMode.None, 0, 0, 0, 0);

    private readonly Lock gate = new();
    private FaultState state = Cleared;

    /// <summary>The current settings.</summary>
    public FaultState Current
    {
        get
        {
            lock (gate)
            {
                return state;
            }
        }
    }

    /// <summary>Replaces the settings; the fired count restarts at 0.</summary>
    /// <exception cref="ArgumentException">A field is missing or out of range (the message says which).</exception>
    public FaultState Set(FaultRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var mode = ParseMode(request.Mode);
        FaultState next;
        if (mode == FaultMode.None)
        {
            next = Cleared;
        }
        else
        {
            var count = request.Count ?? 1;
            if (count < 1 && count != -1)
            {
                throw new ArgumentException("count must be 1 or more, or -1 for every invocation until cleared.");
            }
            var delay = request.DelayMs ?? 0;
            if (mode == FaultMode.Slow && (delay < 0 || delay > MaxDelayMs))
            {
                throw new ArgumentException($"delayMs must be 0 … {MaxDelayMs} for slow.");
            }
            var status = mode switch
            {
                FaultMode.Throttle => Check(request.Status ?? 429, [429, 400], "throttle"),
                FaultMode.Error5xx => Check(request.Status ?? 500, [500, 503], "error5xx"),
                FaultMode.ModelError => request.Status is null or (>= 400 and <= 599)
                    ? request.Status ?? 500
                    : throw new ArgumentException("status must be 400 … 599 for modelError (the container's status)."),
                _ => 0,
            };
            next = new FaultState(mode, count, mode == FaultMode.Slow ? delay : 0, status, 0);
        }
        lock (gate)
        {
            state = next;
        }
        return next;
    }

    /// <summary>Clears the settings.</summary>
    public void Clear()
    {
        lock (gate)
        {
            state = Cleared;
        }
    }

    /// <summary>Takes the fault for one invocation, if any is pending.</summary>
    public bool TryTake(out FaultState fault)
    {
        lock (gate)
        {
            fault = state;
            if (state.Mode == FaultMode.None)
            {
                return false;
            }
            var remaining = state.Remaining == -1 ? -1 : state.Remaining - 1;
            state = remaining == 0
                ? Cleared with { Fired = state.Fired + 1 }
                : state with { Remaining = remaining, Fired = state.Fired + 1 };
            return true;
        }
    }

    /// <summary>The wire name of a mode.</summary>
    public static string ModeName(FaultMode mode) => mode switch
    {
        FaultMode.Throttle => "throttle",
        FaultMode.Error5xx => "error5xx",
        FaultMode.Slow => "slow",
        FaultMode.ModelError => "modelError",
        _ => "none",
    };

    private static FaultMode ParseMode(string? mode) => mode?.Trim().ToLowerInvariant() switch
    {
        "none" or "off" or "" => FaultMode.None,
        "throttle" => FaultMode.Throttle,
        "error5xx" => FaultMode.Error5xx,
        "slow" => FaultMode.Slow,
        "modelerror" => FaultMode.ModelError,
        null => throw new ArgumentException("mode is required: none, throttle, error5xx, slow or modelError."),
        _ => throw new ArgumentException($"unknown mode '{mode}': use none, throttle, error5xx, slow or modelError."),
    };

    private static int Check(int status, int[] allowed, string mode) =>
        allowed.Contains(status)
            ? status
            : throw new ArgumentException($"status must be {string.Join(" or ", allowed)} for {mode}.");
}

/// <summary>The admin routes: <c>GET /_faults</c>, <c>POST /_faults</c>, <c>DELETE /_faults</c>.</summary>
internal static class FaultRoutes
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/_faults", (FaultInjector faults) => Results.Json(ToJson(faults.Current), FaultJson.Default.FaultStateJson));
        app.MapDelete("/_faults", (FaultInjector faults) =>
        {
            faults.Clear();
            return Results.Json(ToJson(faults.Current), FaultJson.Default.FaultStateJson);
        });
        app.MapPost("/_faults", async (HttpContext context, FaultInjector faults, ILoggerFactory loggers) =>
        {
            FaultRequest? request;
            try
            {
                request = await JsonSerializer.DeserializeAsync(context.Request.Body, FaultJson.Default.FaultRequest,
                    context.RequestAborted);
            }
            catch (JsonException ex)
            {
                return Results.Json(new AdminError($"invalid JSON: {ex.Message}"), FaultJson.Default.AdminError, statusCode: 400);
            }
            if (request is null)
            {
                return Results.Json(new AdminError("expected a JSON object"), FaultJson.Default.AdminError, statusCode: 400);
            }
            try
            {
                var state = faults.Set(request);
                loggers.CreateLogger("Serverless.ModelServer.Faults").LogInformation(
                    "Faults set: {Mode} x{Remaining} (delay {DelayMs} ms, status {Status})",
                    FaultInjector.ModeName(state.Mode), state.Remaining, state.DelayMs, state.Status);
                return Results.Json(ToJson(state), FaultJson.Default.FaultStateJson);
            }
            catch (ArgumentException ex)
            {
                return Results.Json(new AdminError(ex.Message), FaultJson.Default.AdminError, statusCode: 400);
            }
        });
    }

    private static FaultStateJson ToJson(FaultState state) =>
        new(FaultInjector.ModeName(state.Mode), state.Remaining, state.DelayMs, state.Status, state.Fired);
}

internal sealed record FaultStateJson(string Mode, int Remaining, int DelayMs, int Status, int Fired);

internal sealed record AdminError(string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(FaultStateJson))]
[JsonSerializable(typeof(AdminError))]
internal sealed partial class FaultJson : JsonSerializerContext;
