using Microsoft.Extensions.DependencyInjection;

namespace Serverless.Metering;

public static class MeteringExtensions
{
    /// <summary>
    /// What an API that meters or shows usage needs: the <see cref="Plan"/>, <see cref="Quota"/> checks and the
    /// <see cref="UsageLedger"/>. The plan is read when first needed, from <c>PLAN_NAME</c> and <c>MONTHLY_TEXT_QUOTA</c>.
    /// </summary>
    public static IServiceCollection AddMetering(this IServiceCollection services) => services
        .AddSingleton(_ => Plan.FromEnvironment())
        .AddSingleton<Quota>()
        .AddSingleton<UsageLedger>();
}
