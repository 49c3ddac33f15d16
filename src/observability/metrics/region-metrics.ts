import type { RequestHandler } from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Secret } from '../../config';
import type { AppMetrics, TokenGrantMetrics } from './app-metrics';
import { graphqlMetricsPlugin } from './graphql-metrics';
import { knownOperationNames } from '../operation-names';
import { httpMetrics } from './http-metrics';
import type { LoginFlowMetrics } from './login-flow';

/** What one region's HTTP transport is handed: the HTTP middleware (and GET /metrics), the GraphQL plugin, the login and token counters. */
export interface RegionMetrics {
  http: RequestHandler;
  graphql: ApolloServerPlugin;
  loginFlow: LoginFlowMetrics;
  tokenGrants: TokenGrantMetrics;
}

/** The transport-side metrics of one region, all counting into `metrics`. */
export function regionMetrics(metrics: AppMetrics, region: string, token: Secret | null, known: ReadonlySet<string> = knownOperationNames()): RegionMetrics {
  return {
    http: httpMetrics(metrics, token),
    graphql: graphqlMetricsPlugin(metrics, region, known),
    loginFlow: metrics.loginFlow(region),
    tokenGrants: metrics.tokenGrantMetrics(),
  };
}
