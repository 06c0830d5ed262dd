using Amazon.DynamoDBv2;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;

namespace Serverless.ServiceDefaults;

public static class FunctionDefaults
{
    /// <summary>
    /// What every function of the suite takes from its services, API (<see cref="ServiceDefaultsExtensions.AddServiceDefaults"/>)
    /// or reactive (<see cref="Kernel.Runtime.ReactiveFunctions"/>): the clock, the DynamoDB client (credentials and region
    /// from the function's environment), the table (<c>TABLE_NAME</c>, read now: a function without it fails its init).
    /// </summary>
    public static IServiceCollection AddFunctionDefaults(this IServiceCollection services) => services
        .AddSingleton(TimeProvider.System)
        .AddSingleton<IAmazonDynamoDB>(_ => new AmazonDynamoDBClient())
        .AddSingleton(Table.FromEnvironment());

    /// <summary>
    /// The S3 client, apart: the trimmer keeps the S3 SDK (and the HTTP stack it brings, about 800 KB) in every package
    /// that references this, so only the functions that call S3 do.
    /// </summary>
    public static IServiceCollection AddS3(this IServiceCollection services) =>
        services.AddSingleton<IAmazonS3>(_ => new AmazonS3Client());
}
