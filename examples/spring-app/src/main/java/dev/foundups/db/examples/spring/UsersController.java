package dev.foundups.db.examples.spring;

import java.net.URI;
import java.time.Instant;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.jooq.tables.records.FoundupUsersRecord;
import dev.foundups.db.spring.FoundUps;

/**
 * One FoundUp-scoped resource: the users of the FoundUp named in the path, each FoundUp in its own tables
 * ({@code foundups_<foundup>_users}), created on its first request.
 */
// Path variables are named: this build does not compile with -parameters (spring-boot-starter-parent would).
@RestController
@RequestMapping("/foundups/{foundup}/users")
class UsersController {

    /** A user as the API shows it. */
    record User(String id, String username, Instant createdAt) {
        static User of(FoundupUsersRecord row) {
            return new User(row.getId(), row.getUsername(), row.getCreatedAt());
        }
    }

    /** What a client sends to add a user. */
    record NewUser(String id, String username) {
    }

    private final FoundUps foundUps;

    UsersController(FoundUps foundUps) {
        this.foundUps = foundUps;
    }

    @PostMapping
    ResponseEntity<User> add(@PathVariable("foundup") String foundup, @RequestBody NewUser user) {
        FoundUp project = foundUps.get(foundup);
        project.addUser(user.id(), user.username());
        User stored = User.of(project.user(user.id()).orElseThrow());
        return ResponseEntity.created(URI.create("/foundups/" + foundup + "/users/" + user.id())).body(stored);
    }

    @GetMapping
    List<User> list(@PathVariable("foundup") String foundup) {
        return foundUps.get(foundup).users().stream().map(User::of).toList();
    }

    @GetMapping("/{id}")
    ResponseEntity<User> one(@PathVariable("foundup") String foundup, @PathVariable("id") String id) {
        return ResponseEntity.of(foundUps.get(foundup).user(id).map(User::of));
    }

    /** A bad FoundUp id is the client's mistake; so is a user id that is taken. */
    @ExceptionHandler(FoundupsDbException.class)
    ResponseEntity<ProblemDetail> refused(FoundupsDbException e) {
        HttpStatus status = switch (e.errorCode()) {
            case INVALID_NAME -> HttpStatus.BAD_REQUEST;
            case INVALID_INPUT, NAME_CONFLICT -> HttpStatus.CONFLICT;
            case BUSY, NAMESPACE_MOVED -> HttpStatus.SERVICE_UNAVAILABLE; // retrying later succeeds
            default -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
        return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status, e.getMessage()));
    }
}
