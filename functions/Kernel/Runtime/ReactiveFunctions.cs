using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Kernel.Runtime;

/// <summary>
/// A package's reactive functions, declared as its API is: each is an <see cref="IReactiveHandler"/> class whose constructor
/// takes what it needs from the package's services (what <paramref name="addServices"/> registers, and an
/// <see cref="ILogger{TCategoryName}"/> writing the bootstrap's JSON log lines). Program.cs gives
/// <see cref="LambdaBootstrap"/> <c>[nameof(Handler)] = functions.Handler&lt;Handler&gt;</c> for each.
/// </summary>
/// <param name="addServices">The package's registrations; each service is made when first asked for, so a function
/// never reads the settings (environment variables) of another function of its package.</param>
public sealed class ReactiveFunctions(Action<IServiceCollection> addServices)
{
    /// <summary>The answer of a function whose answer nobody reads.</summary>
    public static byte[] NoResponse => "{}"u8.ToArray();

    /// <summary>Init: the services, then the one <typeparamref name="THandler"/> that handles every invocation.</summary>
    public Task<LambdaHandler> Handler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(
        ILoggerFactory loggers)
        where THandler : class, IReactiveHandler
    {
        var services = new ServiceCollection().AddSingleton(loggers).AddLogging();
        addServices(services);
        var handler = services.AddSingleton<THandler>().BuildServiceProvider().GetRequiredService<THandler>();
        return Task.FromResult<LambdaHandler>(handler.HandleAsync);
    }

    internal static T Read<T>(byte[] payload, JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(payload, type) ?? throw new JsonException($"The event is not a {typeof(T).Name}: it is null.");
}
