package com.realtimevoice.weberrors;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The error page every error of the public port is forwarded to (a {@code sendError} by Spring MVC, an exception no
 * handler took): the contract's JSON whatever the client accepts, where Spring's default would answer its own JSON
 * shape, or a whitelabel HTML page to browsers.
 */
@Controller
public class ContractErrorController implements ErrorController {

    @RequestMapping("${server.error.path:${error.path:/error}}")
    public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i && i >= 400 ? i : 500;
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        // the error dispatch keeps the original request's method
        response.getOutputStream()
                .write(ContractErrors.bytes(status, request.getMethod(), uri instanceof String u ? u : null));
    }
}
