using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Serverless.ServiceDefaults;

/// <summary>
/// A body that is not JSON, JSON of the wrong shape or the wrong content type becomes a 4xx problem
/// whose detail says what was wrong, instead of a bare 400 or a 500.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad) return false;
        logger.LogWarning("Bad request {Method} {Path}: {Reason}", context.Request.Method, context.Request.Path, Reason(bad));
        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = bad.StatusCode, Detail = Reason(bad) },
        });
    }

    /// <summary>The framework's message names the parameter; the JSON reader's inner message names the spot.</summary>
    private static string Reason(BadHttpRequestException bad) =>
        bad.InnerException is System.Text.Json.JsonException json ? $"{bad.Message} {json.Message}" : bad.Message;
}
