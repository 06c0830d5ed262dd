using System.Security.Claims;
using System.Text;
using Amazon.DynamoDBv2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Kernel.AspNetCore;

namespace Serverless.TestUtilities;

/// <summary>
/// A group's API built by its own <c>Build(host)</c> and served in process by a <see cref="TestServer"/>, as
/// WebApplicationFactory serves an app: the routes, the service defaults' pipeline and the group's services as the
/// function has them, with the AWS clients the test gives in place of the function's.
/// </summary>
public sealed class TestApi : IAsyncDisposable
{
    private readonly WebApplication app;

    private TestApi(WebApplication app) => this.app = app;

    /// <summary>Starts the API on <paramref name="data"/>'s table.</summary>
    /// <param name="build">The group's <c>Build(host)</c>.</param>
    /// <param name="data">The table; the API's DynamoDB client is the test's, on DynamoDB Local.</param>
    /// <param name="services">Registers more of the test's services (AWS clients on the emulators); they win over the group's.</param>
    public static Task<TestApi> StartAsync(
        Func<Action<WebApplicationBuilder>, WebApplication> build, DynamoDbTable data, Action<IServiceCollection>? services = null)
    {
        // Read while the group builds its services: the table's name is configuration, the client the test's.
        Environment.SetEnvironmentVariable("TABLE_NAME", data.Table.Name);
        return StartAsync(build, collection =>
        {
            collection.AddSingleton<IAmazonDynamoDB>(data.Db);
            services?.Invoke(collection);
        });
    }

    private static async Task<TestApi> StartAsync(
        Func<Action<WebApplicationBuilder>, WebApplication> build, Action<IServiceCollection> services)
    {
        var app = build(builder =>
        {
            // A test's invocation (TestLambdaContext.RunAsync) flows into the request, as the Lambda server's does.
            builder.WebHost.UseTestServer(server => server.PreserveExecutionContext = true);
            builder.Host.UseServiceProviderFactory(new TestServices(services));
        });
        await app.StartAsync();
        return new TestApi(app);
    }

    /// <summary>The API's services, e.g. to seed data through the group's own stores.</summary>
    public IServiceProvider Services => app.Services;

    /// <summary>
    /// A client whose requests come from <paramref name="user"/> (see <see cref="User"/>), or from no one. In the cloud
    /// the user is what <see cref="LambdaServer"/> builds from the JWT authorizer's claims; here the test server sets it on
    /// each request before the pipeline runs, so nothing in the API trusts anything the request says.
    /// </summary>
    public HttpClient CreateClient(ClaimsPrincipal? user = null)
    {
        var server = (TestServer)app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>();
        var principal = user ?? new ClaimsPrincipal(new ClaimsIdentity());
        var handler = server.CreateHandler(context =>
            context.Features.Set<IHttpAuthenticationFeature>(new HttpAuthenticationFeature { User = principal }));
        return new HttpClient(handler) { BaseAddress = server.BaseAddress };
    }

    /// <summary>A signed-in user as the JWT authorizer's claims make one: <c>sub</c>, <c>username</c> and any more claims.</summary>
    public static ClaimsPrincipal User(string sub, params Claim[] claims) => new(new ClaimsIdentity(
        [new Claim("sub", sub), new Claim("username", "user-" + sub), .. claims],
        LambdaServer.AuthenticationType, "username", "cognito:groups"));

    /// <summary>A JSON request body, as the browser sends it.</summary>
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>Adds the test's services once the group has added its own: the group's <c>Build</c> adds them after the host's.</summary>
    private sealed class TestServices(Action<IServiceCollection> services) : IServiceProviderFactory<IServiceCollection>
    {
        public IServiceCollection CreateBuilder(IServiceCollection collection)
        {
            services(collection);
            return collection;
        }

        public IServiceProvider CreateServiceProvider(IServiceCollection collection) => collection.BuildServiceProvider();
    }
}
