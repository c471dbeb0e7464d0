export { layout, safeAccent, type LayoutOptions, type Theme } from './layout.ts';
export { loginPage, type LoginPageOptions } from './login.ts';
export { consentPage, type ConsentPageOptions, type ConsentScope } from './consent.ts';
export { logoutPage, type LogoutPageOptions } from './logout.ts';
export { errorPage, type ErrorPageOptions } from './error.ts';
export { formPostPage, type FormPostPageOptions } from './form-post.ts';
export { demoCallbackPage, curlCommand, shellQuote, type DemoCallbackPageOptions } from './demo-callback.ts';
