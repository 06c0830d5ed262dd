using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serverless.Kernel.AspNetCore;

/// <summary>
/// Authentication already happened at API Gateway's JWT authorizer; this scheme takes the principal
/// <see cref="LambdaServer"/> built from the authorizer's claims, and answers challenges and
/// forbids with problem details.
/// </summary>
public sealed class ApiGatewayAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiGateway";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = Context.Features.Get<IHttpAuthenticationFeature>()?.User;
        return Task.FromResult(user?.Identity is { IsAuthenticated: true }
            ? AuthenticateResult.Success(new AuthenticationTicket(user, Scheme.Name))
            : AuthenticateResult.NoResult());
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status401Unauthorized,
            "Sign in to call this API: send a Cognito access token as 'Authorization: Bearer <token>'.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "This token does not allow this request.");

    /// <summary>The status always; the problem document when the client accepts JSON (WriteAsync throws when no writer can).</summary>
    private async Task WriteProblemAsync(int status, string detail)
    {
        Response.StatusCode = status;
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }
}
