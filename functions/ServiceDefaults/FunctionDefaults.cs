using Amazon.DynamoDBv2;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;

namespace Serverless.ServiceDefaults;

public static class FunctionDefaults
{
    /// <summary>
    /// What every function of the suite takes from its services, API (<see cref="ServiceDefaultsExtensions.AddServiceDefaults"/>)
    /// or reactive (<see cref="Kernel.Runtime.ReactiveFunctions"/>): the clock, the AWS SDK's clients (credentials and region
    /// from the function's environment), the table (<c>TABLE_NAME</c>, read now: a function without it fails its init).
    /// </summary>
    public static IServiceCollection AddFunctionDefaults(this IServiceCollection services) => services
        .AddSingleton(TimeProvider.System)
        .AddSingleton<IAmazonDynamoDB>(_ => new AmazonDynamoDBClient())
        .AddSingleton<IAmazonS3>(_ => new AmazonS3Client())
        .AddSingleton(Table.FromEnvironment());
}
