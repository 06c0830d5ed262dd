using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Kernel.Runtime;

/// <summary>
/// Reactive functions declared as the APIs are: the handler is an <see cref="IReactiveHandler"/> class whose constructor takes
/// what it needs from services its package registers (and an <see cref="ILogger{TCategoryName}"/> writing the bootstrap's
/// JSON log lines). Program.cs gives <see cref="LambdaBootstrap"/>
/// <c>[nameof(Handler)] = ReactiveFunctions.Handler&lt;Handler&gt;(Handler.AddServices)</c> for each.
/// </summary>
public static class ReactiveFunctions
{
    /// <summary>The answer of a function whose answer nobody reads.</summary>
    public static byte[] NoResponse => "{}"u8.ToArray();

    /// <summary>The handler's init: the services <paramref name="addServices"/> registers, then the one handler.</summary>
    /// <param name="addServices">What the handler's constructor takes, beside its logger; kept beside the handler, where
    /// the template tests follow its reads of the environment and its AWS clients.</param>
    public static Func<ILoggerFactory, Task<LambdaHandler>> Handler<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(
        Action<IServiceCollection> addServices)
        where THandler : class, IReactiveHandler => loggers =>
    {
        var services = new ServiceCollection().AddSingleton(loggers).AddLogging();
        addServices(services);
        var handler = services.AddSingleton<THandler>().BuildServiceProvider().GetRequiredService<THandler>();
        return Task.FromResult<LambdaHandler>(handler.HandleAsync);
    };

    internal static T Read<T>(byte[] payload, JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(payload, type) ?? throw new JsonException($"The event is not a {typeof(T).Name}: it is null.");
}
