using System.Text.Json.Serialization;
using Amazon.DynamoDBv2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Kernel.AspNetCore;
using Serverless.Kernel.Logging;

namespace Serverless.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>API Gateway HTTP APIs take at most 10 MB; the suite's JSON APIs take far less.</summary>
    public const long MaxRequestBodyBytes = 256 * 1024;

    /// <summary>
    /// The opening of every resource group's API: a slim builder, the server <paramref name="host"/> chooses (the Lambda
    /// bridge or Kestrel), the service defaults, and the group's source-generated JSON context first among the resolvers.
    /// </summary>
    public static WebApplicationBuilder CreateApiBuilder(Action<WebApplicationBuilder> host, JsonSerializerContext jsonContext)
    {
        var builder = WebApplication.CreateSlimBuilder();
        host(builder);
        builder.AddServiceDefaults();
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, jsonContext));
        return builder;
    }

    /// <summary>
    /// What a resource group's API needs whatever serves it: JSON logs with the request id, times as <see cref="Timestamp"/>s,
    /// problem details for every error, the JWT authorizer's user, AWS clients.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.Logging.AddLambdaJson();
        builder.Services.AddFunctionDefaults();
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            // The groups' JSON contexts say WhenWritingNull, but as resolvers in these options they follow these options' setting.
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            // One time format in every answer; the generated code asks these options for a converter before using its own.
            options.SerializerOptions.Converters.Add(new TimestampJsonConverter());
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ServiceDefaultsJsonContext.Default);
        });
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["requestId"] = context.HttpContext.TraceIdentifier;
            context.ProblemDetails.Detail ??= DefaultDetail(context.ProblemDetails.Status, context.HttpContext.Request);
        });
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddAuthentication(ApiGatewayAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiGatewayAuthenticationHandler>(
                ApiGatewayAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<AccountDeletions>();
        return builder;
    }

    /// <summary>The shared pipeline, and the public <c>GET /health</c>.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > MaxRequestBodyBytes)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = { Status = StatusCodes.Status413PayloadTooLarge },
                });
                return;
            }
            await next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(DeletedAccountRefusal.InvokeAsync);
        app.MapGet("/health", () => TypedResults.Ok(new Health("ok"))).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// The detail of a problem that comes without one because its status says what went wrong with the request as a whole: routing's
    /// 415 for a body that is not JSON, the 413 of the length check above (or of a server's own limit, which may not know the length).
    /// </summary>
    private static string? DefaultDetail(int? status, HttpRequest request) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => request.ContentLength is { } length
            ? $"The request body is {length} bytes; this API takes at most {MaxRequestBodyBytes / 1024} KiB ({MaxRequestBodyBytes} bytes)."
            : $"The request body is too large; this API takes at most {MaxRequestBodyBytes / 1024} KiB.",
        StatusCodes.Status415UnsupportedMediaType => string.IsNullOrEmpty(request.ContentType)
            ? "Send the body as JSON with 'Content-Type: application/json'; this request has no content type."
            : $"Send the body as JSON with 'Content-Type: application/json'; this request's is '{request.ContentType}'.",
        _ => null,
    };
}

public sealed record Health(string Status);
