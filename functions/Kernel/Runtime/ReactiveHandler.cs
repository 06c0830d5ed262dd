using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Serverless.Kernel.Runtime;

/// <summary>
/// A reactive function (an S3 notification, a stream batch, a trigger, a schedule, an Invoke) as the bootstrap calls it: the
/// event's bytes in, the response's bytes out. Made once per process by <see cref="ReactiveFunctions"/>; a handler that
/// reads a single event type derives from <see cref="ReactiveHandler{TEvent}"/> or <see cref="ReactiveHandler{TEvent, TResponse}"/>.
/// </summary>
public interface IReactiveHandler
{
    Task<byte[]> HandleAsync(byte[] payload, LambdaContext context);
}

/// <summary>
/// A handler of <typeparamref name="TEvent"/>s whose answer nobody reads (an asynchronous invocation): it answers <c>{}</c>.
/// </summary>
/// <param name="eventType">How the payload is read: the type's info in a source-generated JSON context.</param>
public abstract class ReactiveHandler<TEvent>(JsonTypeInfo<TEvent> eventType) : IReactiveHandler
{
    public abstract Task HandleAsync(TEvent input, LambdaContext context);

    async Task<byte[]> IReactiveHandler.HandleAsync(byte[] payload, LambdaContext context)
    {
        await HandleAsync(ReactiveFunctions.Read(payload, eventType), context);
        return ReactiveFunctions.NoResponse;
    }
}

/// <summary>A handler of <typeparamref name="TEvent"/>s that answers a <typeparamref name="TResponse"/>.</summary>
/// <param name="eventType">How the payload is read: the type's info in a source-generated JSON context.</param>
/// <param name="responseType">How the answer is written, likewise.</param>
public abstract class ReactiveHandler<TEvent, TResponse>(JsonTypeInfo<TEvent> eventType, JsonTypeInfo<TResponse> responseType)
    : IReactiveHandler
{
    public abstract Task<TResponse> HandleAsync(TEvent input, LambdaContext context);

    async Task<byte[]> IReactiveHandler.HandleAsync(byte[] payload, LambdaContext context) =>
        JsonSerializer.SerializeToUtf8Bytes(await HandleAsync(ReactiveFunctions.Read(payload, eventType), context), responseType);
}
