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
    /// What a resource group's API needs whatever serves it: JSON logs with the request id,
    /// problem details for every error, the JWT authorizer's user, AWS clients.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.Logging.AddLambdaJson();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            // The groups' JSON contexts say WhenWritingNull, but as resolvers in these options they follow these options' setting.
            options.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ServiceDefaultsJsonContext.Default);
        });
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["requestId"] = context.HttpContext.TraceIdentifier);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddAuthentication(ApiGatewayAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiGatewayAuthenticationHandler>(
                ApiGatewayAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<IAmazonDynamoDB>(_ => new AmazonDynamoDBClient());
        builder.Services.AddSingleton(Table.FromEnvironment());
        // The plan is read when first needed: an API that checks no quota runs without PLAN_NAME and MONTHLY_TEXT_QUOTA.
        builder.Services.AddSingleton(_ => Plan.FromEnvironment());
        builder.Services.AddSingleton<Quota>();
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
                    ProblemDetails = { Status = 413, Detail = $"The request body is {context.Request.ContentLength} bytes; this API takes at most {MaxRequestBodyBytes}." },
                });
                return;
            }
            await next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/health", () => TypedResults.Ok(new Health("ok"))).AllowAnonymous();
        return app;
    }
}

public sealed record Health(string Status);
